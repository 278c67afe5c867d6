from decimal import Decimal

from django import template

register = template.Library()

TOKEN_DECIMALS = 18  # CrowdToken keeps ERC-20's default


@register.filter
def tokens(base_units) -> str:
    """Base units as whole tokens, without trailing zeros: 1500000000000000000 -> "1.5"."""
    text = f"{Decimal(int(base_units)).scaleb(-TOKEN_DECIMALS):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
