"""Model fields shared by apps."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class TokenAmountField(models.DecimalField):
    """An ERC-20 amount in base units (a uint256): up to 78 digits, no fraction, exact on every
    database. PostgreSQL holds it in numeric(78, 0). SQLite's NUMERIC affinity would store anything
    above 2^63 as a lossy REAL (9.22 CROWD in wei), so there the column is TEXT: Django writes
    Decimals to SQLite as their digits, and they come back exact."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_digits", 78)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)

    def get_internal_type(self) -> str:
        # Not "DecimalField": SQLite's converter for that reads values as floats.
        return "TextField"

    def db_type(self, connection) -> str:
        if connection.vendor == "sqlite":
            return "text"
        return f"numeric({self.max_digits}, {self.decimal_places})"

    def from_db_value(self, value, expression, connection) -> Decimal | None:
        return None if value is None else Decimal(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        # Digits, not a float or an exponent, so SQLite's TEXT column compares and reads them back exactly.
        return f"{Decimal(value):f}" if value is not None and connection.vendor == "sqlite" else value
