"""Wallet sign-in API: POST nonce, POST verify, GET me, POST signout."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.services import issue_nonce, sign_out, verify_sign_in
from apps.accounts.verification import SignInError, SignInPolicy

SIGN_IN_STATEMENT = "Sign in to CrowdAL."


class CsrfSessionAuthentication(SessionAuthentication):
    """DRF checks CSRF only for requests that are already signed in; signing in must be protected too."""

    def authenticate(self, request: Request):
        self.enforce_csrf(request)
        return super().authenticate(request)


class AuthApi(APIView):
    authentication_classes = [CsrfSessionAuthentication]
    permission_classes = [AllowAny]


class SessionOutputSerializer(serializers.Serializer):
    address = serializers.CharField(allow_null=True)
    expiresAt = serializers.DateTimeField(allow_null=True)


def session_output(request: Request) -> dict:
    signed_in = request.user.is_authenticated
    return SessionOutputSerializer(
        {
            "address": request.user.address if signed_in else None,
            "expiresAt": request.session.get_expiry_date() if signed_in else None,
        }
    ).data


class NonceApi(AuthApi):
    class OutputSerializer(serializers.Serializer):
        """The fields the browser needs to write the EIP-4361 message the server will accept."""

        nonce = serializers.CharField()
        issuedAt = serializers.DateTimeField()
        expirationTime = serializers.DateTimeField()
        domain = serializers.CharField()
        uri = serializers.CharField()
        chainId = serializers.IntegerField()
        statement = serializers.CharField()

    def post(self, request: Request) -> Response:
        policy = SignInPolicy.for_request(request)
        nonce = issue_nonce(session=request.session)
        challenge = {
            "nonce": nonce.value,
            "issuedAt": nonce.created_at,
            # Offered as the message's Expiration Time, so the wallet shows how long the sign-in lasts.
            "expirationTime": nonce.created_at + timedelta(seconds=settings.SESSION_COOKIE_AGE),
            "domain": policy.domain,
            "uri": policy.origin,
            "chainId": policy.chain_ids[0],
            "statement": SIGN_IN_STATEMENT,
        }
        return Response(self.OutputSerializer(challenge).data, status=status.HTTP_201_CREATED)


class VerifyApi(AuthApi):
    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=4096, trim_whitespace=False)
        signature = serializers.CharField(max_length=4096)

    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            verify_sign_in(request=request, policy=SignInPolicy.for_request(request), **serializer.validated_data)
        except SignInError as error:
            return Response({"check": error.check, "detail": str(error)}, status=error.status)
        return Response(session_output(request))


class MeApi(AuthApi):
    def get(self, request: Request) -> Response:
        return Response(session_output(request))


class SignOutApi(AuthApi):
    def post(self, request: Request) -> Response:
        sign_out(request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
