from django.urls import path

from apps.accounts.api import MeApi, NonceApi, SignOutApi, VerifyApi

api_patterns = (
    [
        path("auth/nonce", NonceApi.as_view(), name="nonce"),
        path("auth/verify", VerifyApi.as_view(), name="verify"),
        path("auth/me", MeApi.as_view(), name="me"),
        path("auth/signout", SignOutApi.as_view(), name="signout"),
    ],
    "accounts-api",
)
