"""Poll columns that identify a person: found by the words of their names."""

from __future__ import annotations

import re

# Poll columns that identify a person are dropped on sight, never read, and named in the
# report, even when a mapping declares them as items. Read by words, so that `EmpID`,
# `emp_id`, `Employee_Name`, `E-mail Address` and `RecipientLastName` are all caught.
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PERSON = {
    "employee",
    "emp",
    "staff",
    "person",
    "user",
    "worker",
    "respondent",
    "participant",
    "member",
    "recipient",
    "associate",
    "personnel",
    "badge",
}
_NUMBER = {"id", "ids", "number", "no", "num", "nr", "code", "key", "ref", "reference"}
_IDENTITY_WORDS = {
    "name",
    "names",
    "email",
    "mail",
    "login",
    "username",
    "phone",
    "mobile",
    "telephone",
    "tel",
    "ip",
    "address",
    "ssn",
    "passport",
    "birth",
    "dob",
    "latitude",
    "longitude",
    "upn",
    "initials",
}
_IDENTITY_JOINED = (
    "email",
    "empid",
    "empno",
    "eid",
    "userid",
    "username",
    "staffid",
    "employeeid",
    "externalreference",
    "externaldatareference",
    "ipaddress",
)
ITEM_PREFIX = "item_"


def is_identity(column: str) -> bool:
    """True for a column name that looks like it identifies a person."""
    words = [w.lower() for w in _WORDS.findall(column)]
    joined = "".join(words)
    return bool(
        _IDENTITY_WORDS.intersection(words)
        or (_PERSON.intersection(words) and _NUMBER.intersection(words))
        or any(j == joined or (j == "email" and j in joined) for j in _IDENTITY_JOINED)
    )
