from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.gamification.selectors import leaderboard


@require_GET
def leaderboard_page(request: HttpRequest) -> HttpResponse:
    """Public: shortened addresses, points from wallet labels only."""
    return render(
        request,
        "gamification/leaderboard.html",
        {"weekly": leaderboard(weekly=True), "all_time": leaderboard(weekly=False)},
    )
