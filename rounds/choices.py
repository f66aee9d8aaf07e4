"""The fixed vocabularies of the rounds app, shared by models, filters and serializers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvestorKind(models.TextChoices):
    VC = "vc", _("venture capital")
    PE = "pe", _("private equity")
    CVC = "cvc", _("corporate venture capital")
    GOVERNMENT = "government", _("government fund")
    ANGEL = "angel", _("angel")
    OTHER = "other", _("other")


class Stage(models.TextChoices):
    SEED = "seed", _("seed")
    ANGEL = "angel", _("angel")
    PRE_A = "pre_a", _("pre-Series A")
    A = "a", _("Series A")
    A_PLUS = "a_plus", _("Series A+")
    PRE_B = "pre_b", _("pre-Series B")
    B = "b", _("Series B")
    B_PLUS = "b_plus", _("Series B+")
    C = "c", _("Series C")
    C_PLUS = "c_plus", _("Series C+")
    D = "d", _("Series D")
    E = "e", _("Series E")
    F = "f", _("Series F")
    PRE_IPO = "pre_ipo", _("pre-IPO")
    STRATEGIC = "strategic", _("strategic")
    OTHER = "other", _("other")


class Role(models.TextChoices):
    LEAD = "lead", _("lead")
    CO_LEAD = "co_lead", _("co-lead")
    PARTICIPANT = "participant", _("participant")


class ListingKind(models.TextChoices):
    IPO = "ipo", _("IPO")
    ACQUISITION = "acquisition", _("acquisition")
    OTHER = "other", _("other")


class MarkBasis(models.TextChoices):
    """What a valuation mark rests on."""

    LAST_ROUND = "last_round", _("last round")
    PUBLIC_MARKET = "public_market", _("public market")
    WRITE_DOWN = "write_down", _("write-down")
    OTHER = "other", _("other")
