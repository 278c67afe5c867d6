"""Labeler progress, the leaderboard, and a requester setting a job's minimum tier."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.gamification.models import Tier
from apps.gamification.selectors import leaderboard, progress


class BadgeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    earned_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="LabelerProgress")
class ProgressSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    labels = serializers.IntegerField()
    agreeing = serializers.IntegerField()
    gold_answers = serializers.IntegerField()
    gold_correct = serializers.IntegerField()
    best_streak = serializers.IntegerField()
    tier = serializers.ChoiceField(choices=Tier.choices)
    next_tier = serializers.CharField(allow_null=True)
    next_tier_needs = serializers.CharField()
    badges = BadgeSerializer(many=True)


class ProgressApi(APIView):
    """GET /api/gamification/me: the signed-in labeler's points, tier and badges."""

    @extend_schema(responses=ProgressSerializer)
    def get(self, request: Request) -> Response:
        return Response(ProgressSerializer(progress(worker=request.user)).data)


@extend_schema_serializer(component_name="LeaderboardRow")
class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    worker = serializers.CharField(help_text="shortened address")
    points = serializers.IntegerField()
    labels = serializers.IntegerField()
    tier = serializers.CharField()


class LeaderboardApi(APIView):
    """GET /api/gamification/leaderboard?period=week|all: public, addresses shortened."""

    permission_classes = [AllowAny]

    class QuerySerializer(serializers.Serializer):
        period = serializers.ChoiceField(choices=["week", "all"], default="all")

    @extend_schema(
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, enum=["week", "all"])],
        responses=LeaderboardRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = leaderboard(weekly=query.validated_data["period"] == "week")
        return Response(LeaderboardRowSerializer(rows, many=True).data)
