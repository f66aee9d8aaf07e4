"""Money as a decimal amount plus an ISO 4217 currency code; never a float."""

import gettext

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CURRENCY_CODES: tuple[str, ...] = tuple(sorted(c.alpha_3 for c in pycountry.currencies))
CURRENCY_CHOICES: list[tuple[str, str]] = [
    (c.alpha_3, f"{c.alpha_3} · {c.name}") for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)
]


# ISO 4217's names in Chinese, as pycountry ships them.
CURRENCY_NAMES_ZH = gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


def currency_label(code: str) -> str:
    """A currency as a reader sees it: "CNY · Yuan Renminbi", or "CNY · 人民币元" in Chinese."""
    currency = pycountry.currencies.get(alpha_3=code)
    name = currency.name if currency else ""
    if name and (get_language() or "").startswith("zh"):
        name = CURRENCY_NAMES_ZH.gettext(name)
    return f"{code} · {name}" if name else code


def amount_field(verbose_name: str, **kwargs) -> models.DecimalField:
    """An optional, non-negative amount: unknown amounts stay null rather than zero."""
    return models.DecimalField(
        verbose_name,
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **kwargs,
    )


def currency_field(verbose_name: str = _("currency")) -> models.CharField:
    """An ISO 4217 code, blank while no amount it applies to is known."""
    return models.CharField(verbose_name, max_length=3, blank=True, choices=CURRENCY_CHOICES)


def money_constraints(*amounts: str, currency: str = "currency") -> list[models.CheckConstraint]:
    """Checks that amounts are non-negative, the currency is ISO 4217, and set when an amount is."""
    constraints = [
        models.CheckConstraint(
            condition=Q(**{f"{amount}__isnull": True}) | Q(**{f"{amount}__gte": 0}),
            name=f"%(app_label)s_%(class)s_{amount}_non_negative",
            violation_error_message=_("Amounts cannot be negative."),
        )
        for amount in amounts
    ]
    constraints.append(
        models.CheckConstraint(
            condition=Q(**{currency: ""}) | Q(**{f"{currency}__in": CURRENCY_CODES}),
            name=f"%(app_label)s_%(class)s_{currency}_iso4217",
            violation_error_message=_("Enter an ISO 4217 currency code, e.g. CNY, USD or HKD."),
        )
    )
    no_amount = Q()
    for amount in amounts:
        no_amount &= Q(**{f"{amount}__isnull": True})
    constraints.append(
        models.CheckConstraint(
            condition=no_amount | ~Q(**{currency: ""}),
            name=f"%(app_label)s_%(class)s_{currency}_required",
            violation_error_code="currency_required",
            violation_error_message=_("Give the currency of the amounts."),
        )
    )
    return constraints


def validate_currency_given(instance, *amounts: str, currency: str = "currency") -> None:
    """The field-level form of the `currency_required` constraint, so the message names the field."""
    if not getattr(instance, currency) and any(getattr(instance, amount) is not None for amount in amounts):
        raise ValidationError({currency: _("Give the currency of the amounts.")}, code="currency_required")
