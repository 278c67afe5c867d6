from django.urls import path

from apps.accounts.api import MeApi, NonceApi, SignOutApi, VerifyApi

app_name = "auth"
urlpatterns = [
    path("nonce", NonceApi.as_view(), name="nonce"),
    path("verify", VerifyApi.as_view(), name="verify"),
    path("me", MeApi.as_view(), name="me"),
    path("signout", SignOutApi.as_view(), name="signout"),
]
