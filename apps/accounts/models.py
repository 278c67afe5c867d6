from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from eth_utils import is_address, to_checksum_address


class UserManager(BaseUserManager):
    def create_user(self, address: str, password: str | None = None, **fields):
        if not is_address(address):
            raise ValueError(f"not an Ethereum address: {address!r}")
        user = self.model(address=to_checksum_address(address), **fields)
        user.set_password(password)  # None leaves an unusable password: wallets sign in with SIWE
        user.save(using=self._db)
        return user

    def create_superuser(self, address: str, password: str | None = None, **fields):
        return self.create_user(address, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person is a wallet: keyed by its EIP-55 checksummed address."""

    address = models.CharField(max_length=42, unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "address"

    def __str__(self) -> str:
        return self.address


class SiweNonce(models.Model):
    """A sign-in challenge: issued by us to one browser session, valid until `expires_at`, usable once.

    Used rows are kept until they expire so a replay is refused as "already used" rather than "unknown";
    expired rows carry no information and are purged whenever a new nonce is issued.
    """

    value = models.CharField(max_length=64, unique=True)
    session_key = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.value
