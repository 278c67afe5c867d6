from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

# Every page may post to the API (sign in, sign out) from JavaScript, which reads the CSRF cookie.


@require_GET
@ensure_csrf_cookie
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html")


@require_GET
@ensure_csrf_cookie
def signin(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/signin.html")
