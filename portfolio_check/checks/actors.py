"""Who acts on each finding: the apprentice, the employer or the training provider. Data, one place.

The what-to-fix list groups a portfolio's findings by who must act, so provider staff can send each
person their part. Every finding code a rule declares is listed here (a test checks): a new rule's
codes are added beside the others. The apprentice puts right the evidence itself (files, clips,
pieces, KSBs it shows); the employer signs the statement; the provider keeps the manifest, the
portfolio's details and the checks a person must make by hand.
"""

from __future__ import annotations

from portfolio_check.findings import Finding

APPRENTICE = "apprentice"
EMPLOYER = "employer"
PROVIDER = "provider"

#: Who acts, in the order the what-to-fix list gives them, with the heading each group gets.
ACTORS: dict[str, str] = {
    APPRENTICE: "For the apprentice",
    EMPLOYER: "For the employer",
    PROVIDER: "For the training provider",
}

#: Finding code -> who acts on it.
ACTOR_BY_CODE: dict[str, str] = {
    # standard: which standard and option the portfolio is for, and the catalogue's rules
    "standard-unknown": PROVIDER,
    "option-unknown": PROVIDER,
    "rule-unknown": PROVIDER,
    # manifest: the provider keeps the KSB mapping manifest; a file it names is the apprentice's to add
    "manifest-missing": PROVIDER,
    "manifest-invalid": PROVIDER,
    "manifest-ambiguous": PROVIDER,
    "manifest-missing-file": APPRENTICE,
    "manifest-unknown-ksb": PROVIDER,
    "piece-without-ksb": PROVIDER,
    "manifest-duplicate": PROVIDER,
    "manifest-piece-number": PROVIDER,
    "manifest-ksb-unreadable": PROVIDER,
    "ksb-other-option": PROVIDER,
    "unmapped-file": PROVIDER,
    "location-out-of-range": PROVIDER,
    # pieces and coverage: the evidence itself
    "piece-count": APPRENTICE,
    "portfolio-empty": APPRENTICE,
    "duplicate-evidence": APPRENTICE,
    "piece-unusable": APPRENTICE,
    "ksb-not-covered": APPRENTICE,
    "ksb-claim-unsupported": APPRENTICE,
    "ksb-claims-generous": APPRENTICE,
    # video
    "video-limit": APPRENTICE,
    "video-duration-unknown": APPRENTICE,
    "video-person-not-seen": APPRENTICE,
    "video-person-small": APPRENTICE,
    "video-no-audio": APPRENTICE,
    "video-small-picture": APPRENTICE,
    "video-still-image": APPRENTICE,
    "video-sound-only": APPRENTICE,
    # the statement: the employer confirms and signs it; a person checks a scanned one
    "attribution-missing": EMPLOYER,
    "attribution-incomplete": EMPLOYER,
    "attribution-unverified": PROVIDER,
    # files: the apprentice saves them again; unsafe content and what a person must read or watch
    # are the provider's
    "file-unreadable": APPRENTICE,
    "file-empty": APPRENTICE,
    "file-encrypted": APPRENTICE,
    "file-protected": APPRENTICE,
    "file-truncated": APPRENTICE,
    "unsafe-archive": PROVIDER,
    "unsafe-file": PROVIDER,
    "unsupported-format": APPRENTICE,
    "extension-mismatch": APPRENTICE,
    "legacy-format": APPRENTICE,
    "macro-enabled": APPRENTICE,
    "external-link": APPRENTICE,
    "file-damaged": APPRENTICE,
    "scan-not-read": PROVIDER,
    "video-look-incomplete": PROVIDER,
    # details: the provider's records; a piece's date is the apprentice's to check
    "programme-dates": PROVIDER,
    "details-invalid": PROVIDER,
    "uln-invalid": PROVIDER,
    "evidence-date": APPRENTICE,
    "evidence-date-unreadable": PROVIDER,
    # pre-Gateway: the employer decides when the apprentice is ready and signs the Gateway declaration;
    # English and maths are the apprentice's to achieve; the provider applies for adjustments
    "training-short": EMPLOYER,
    "training-short-typical": EMPLOYER,
    "english-maths-not-met": APPRENTICE,
    "english-maths-not-met-typical": APPRENTICE,
    "gateway-declaration-unsigned": EMPLOYER,
    "gateway-declaration-unsigned-typical": EMPLOYER,
    "adjustments-undeclared": PROVIDER,
    "adjustments-undeclared-typical": PROVIDER,
}


def actor_for(code: str) -> str:
    """Who acts on findings with ``code``; the provider, who sends the list, for a code not listed yet."""
    return ACTOR_BY_CODE.get(code, PROVIDER)


def actor_of(finding: Finding) -> str:
    """Who acts on ``finding``: its own actor where its check set one, else its code's."""
    return finding.actor or actor_for(finding.code)
