#!/usr/bin/env python3
"""Generate api/openapi.json from the route table (`homeward routes`) and the
C field tables of src/domain/{person,household,returncase}.c.

Usage: tools/openapi.py REPO_DIR HOMEWARD_BINARY > api/openapi.json   (make openapi)
Fails when a route has no description below, so nothing is left out.
"""
import json
import re
import subprocess
import sys

repo, binary = sys.argv[1], sys.argv[2]
routes = json.loads(subprocess.check_output([binary, "routes"]))


def c_source(name):
    with open(f"{repo}/src/domain/{name}") as f:
        return f.read()


ENTITY_INFO = {}


def parse_entity(fname, table="fields"):
    """Fields of an entity from its C descriptor table, enums resolved."""
    src = c_source(fname)
    arrays = {}
    for m in re.finditer(r"static const char \*const (\w+)\[\] = \{(.*?)\};", src, re.S):
        arrays[m.group(1)] = re.findall(r'"([^"]*)"', m.group(2))
    m = re.search(r"static const rec_entity_t \w+ = \{\s*\"(\w+)\",\s*\"(\w+)\",\s*(NULL|\"\w+\"),\s*([^,]+),"
                  r"\s*fields,[^,]+,\s*(NULL|\"[^\"]*\")", src, re.S)
    if m and table == "fields":
        ENTITY_INFO[fname] = {"kind": m.group(1), "prefix": m.group(3).strip('"') if m.group(3) != "NULL" else None,
                              "flags": m.group(4), "search": m.group(5) != "NULL"}
    block = re.search(r"static const rec_field_t " + table + r"\[\] = \{(.*?)\n\};", src, re.S).group(1)
    fields = []
    for m in re.finditer(r'\{"(\w+)",\s*"(\w+)",\s*(RT_\w+),\s*([^,]+?),\s*(-?\d+),\s*(-?\d+)'
                         r'(?:,\s*(\w+))?(?:,\s*"(\w+)")?\}', block):
        name, col, typ, flags, lo, hi, values, ref = m.groups()
        flagset = set() if flags.strip() == "0" else {f.strip() for f in flags.split("|")}
        fields.append({
            "name": name, "type": typ, "flags": flagset, "min": int(lo), "max": int(hi),
            "values": arrays.get(values) if values and values != "NULL" else None, "ref": ref,
        })
    if not fields:
        sys.exit(f"no fields parsed from {fname}")
    return fields


person = parse_entity("person.c")
household = parse_entity("household.c")
returncase = parse_entity("returncase.c")

perm_src = c_source("perm.c")
roles = re.findall(r'"([^"]+)"', re.search(r"perm_roles\[\] = \{(.*?)\};", perm_src, re.S).group(1))
users_src = c_source("users.c")
org_kinds = re.findall(r'"([^"]+)"', re.search(r"kinds\[\] = \{(.*?)\};", users_src, re.S).group(1))

REF = lambda n: {"$ref": f"#/components/schemas/{n}"}
UUID = {"type": "string", "format": "uuid"}
TS = {"type": "string", "format": "date-time", "description": "UTC time, ISO 8601"}
REF_TARGET = {"persons": "person", "households": "household", "links": "link (crossing point)"}


def nullable(schema):
    s = dict(schema)
    if "$ref" in s:
        return {"oneOf": [s, {"type": "null"}]}
    if "enum" in s:
        s["enum"] = list(s["enum"]) + [None]
    t = s.get("type")
    s["type"] = [t, "null"] if isinstance(t, str) else list(t) + ["null"]
    return s


def field_schema(f):
    t = f["type"]
    if t == "RT_TEXT":
        s = {"type": "string", "maxLength": f["max"]}
        if "RF_MULTILINE" in f["flags"]:
            s["description"] = "may hold line breaks"
    elif t == "RT_ENUM":
        s = {"type": "string", "enum": f["values"]}
    elif t == "RT_PDATE":
        s = REF("PartialDate")
    elif t == "RT_DATE":
        s = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    elif t == "RT_INT":
        s = {"type": "integer", "minimum": f["min"], "maximum": f["max"]}
    elif t == "RT_REAL":
        s = {"type": "number"}
    elif t == "RT_BOOL":
        s = {"type": "boolean"}
    elif t == "RT_REF":
        s = dict(UUID, description=f"id of a {REF_TARGET.get(f['ref'], f['ref'])}")
    elif t == "RT_SETTLEMENT":
        s = REF("SettlementId")
    elif t == "RT_CODES":
        return {"type": "array", "maxItems": f["max"], "items": {"type": "string", "enum": f["values"]},
                "description": "distinct codes; repeated codes are dropped; [] when none"}
    elif t == "RT_STRINGS":
        return {"type": "array", "maxItems": f["max"], "items": {"type": "string", "maxLength": 200},
                "description": "[] when none"}
    elif t == "RT_COUNTRY":
        s = {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2, e.g. AM"}
    else:
        sys.exit(f"unknown field type {t}")
    if "RF_REQUIRED" not in f["flags"]:
        s = nullable(s)
    return s


WRITE = {}


def record_schema(fields, kind, prefix, extra_props=None, extra_desc="", org=True):
    props = {
        "id": dict(UUID, readOnly=True),
        "number": {"type": "string", "pattern": f"^{prefix}-[0-9]{{4,}}-[0-9]$", "readOnly": True,
                   "description": "human-readable number with a Damm check digit, e.g. "
                                  f"{prefix}-4821-7"},
        "version": {"type": "integer", "minimum": 1, "description":
                    "optimistic-concurrency version, also sent as the ETag; on PATCH it may be sent "
                    "instead of If-Match"},
    }
    if not prefix:
        del props["number"]
    for f in fields:
        s = field_schema(f)
        notes = []
        if f["flags"] & {"RF_READONLY", "RF_VIRTUAL"}:
            s = dict(s, readOnly=True)
            notes.append("set by the system")
        if "RF_PROTECTED" in f["flags"]:
            s = dict(s, **{"x-protected": True})
            notes.append("protected: sealed in the database and withheld from answers unless revealed "
                         "(?reveal=NAME&purpose=...) to a role that may see it")
        if "RF_PAST" in f["flags"]:
            notes.append("cannot be in the future")
        if f["type"] in ("RT_PDATE", "RT_DATE"):
            notes.append("not before 1880")
        if notes:
            desc = "; ".join(notes)
            if "$ref" in s or "oneOf" in s:
                s = {"allOf": [s], "description": desc, **({"readOnly": True} if s.get("readOnly") else {}),
                     **({"x-protected": True} if s.get("x-protected") else {})}
                s["allOf"][0].pop("readOnly", None)
                s["allOf"][0].pop("x-protected", None)
            else:
                s["description"] = (s["description"] + "; " if "description" in s else "") + desc
        props[f["name"]] = s
    if org:
        props["organisation"] = nullable(dict(UUID, readOnly=True, description="the registering organisation"))
        props.setdefault("restricted", {"type": "boolean", "readOnly": True,
                                        "description": "seen only by the registering organisation"})
    if any("RF_PROTECTED" in f["flags"] for f in fields):
        props["protected"] = {"type": "array", "readOnly": True, "items": {"type": "string", "enum": [
            f["name"] for f in fields if "RF_PROTECTED" in f["flags"]]}, "description":
            "the protected fields that hold a value; they are withheld unless asked for one record at a "
            "time with ?reveal=...&purpose=... (audited)"}
    props.update({
        "created_at": dict(TS, readOnly=True),
        "created_by": {"type": ["string", "null"], "readOnly": True, "description": "username"},
        "updated_at": dict(TS, readOnly=True),
        "updated_by": {"type": ["string", "null"], "readOnly": True, "description": "username"},
    })
    if extra_props:
        props.update(extra_props)
    write = {n: v for n, v in props.items()
             if n in {f["name"] for f in fields if not f["flags"] & {"RF_READONLY", "RF_VIRTUAL"}}}
    write["version"] = props["version"]
    WRITE[kind] = write
    required = ["id"] + (["number"] if prefix else []) + ["version"] + \
        [f["name"] for f in fields if "RF_PROTECTED" not in f["flags"]] + \
        (["organisation"] if org else []) + \
        (["restricted"] if any(f["name"] == "restricted" for f in fields) else []) + ["created_at", "created_by", "updated_at", "updated_by"]
    required = list(dict.fromkeys(required))
    return {
        "type": "object",
        "description": f"A {kind} as read. Members marked readOnly are set by the server; a client may "
                       "send them back unchanged (or null), never changed. Unknown members are refused (422)."
                       + extra_desc,
        "properties": props,
        "required": required,
    }


def write_schema(kind):
    return {
        "type": "object",
        "description": f"The members of a {kind} a client may write (create or change). Members of the "
                       "record as read (id, number, created_at..., and those marked readOnly) may be sent "
                       "back unchanged; any other member is refused with 422.",
        "properties": WRITE[kind],
    }


def filters(fields):
    return [f for f in fields if "RF_FILTER" in f["flags"]]


def sorts(fields):
    return [f["name"] for f in fields if "RF_SORT" in f["flags"]]


components = {"schemas": {}, "parameters": {}, "responses": {}, "headers": {}, "securitySchemes": {}}
S = components["schemas"]

S["PartialDate"] = {
    "type": "string",
    "pattern": r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?~?$",
    "description": "A date known to the year, month or day (ISO 8601 reduced precision), optionally "
                   "approximate with the EDTF qualifier ~: 1978, 1978-05, 1978-05-12, 1978~, 1978-05~. "
                   "The day must exist in its month.",
    "examples": ["1978", "1978-05", "1978-05-12", "1978~"],
}
S["SettlementId"] = {"type": "string", "pattern": "^[a-z0-9_-]+$",
                     "description": "id of a settlement in the gazetteer, e.g. stepanakert"}
S["Problem"] = {
    "type": "object",
    "description": "An error, as RFC 9457 application/problem+json.",
    "properties": {
        "type": {"type": "string", "examples": ["about:blank"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "one sentence for people"},
        "field": {"type": "string", "description": "the first offending field or parameter"},
        "errors": {"type": "array", "description": "every field error, when there are several",
                   "items": {"type": "object", "properties": {"field": {"type": "string"},
                                                             "detail": {"type": "string"}},
                             "required": ["field", "detail"]}},
        "retry_after": {"type": "integer", "description": "429: seconds to wait (also the Retry-After header)"},
        "current": {"type": "string", "description": "409 on a move: the record's status"},
        "allowed_moves": {"type": "array", "items": {"type": "string"},
                          "description": "409 on a move: the statuses it may move to"},
    },
    "required": ["type", "title", "status", "detail"],
}
S["Person"] = record_schema(person, "person", "HW")
S["PersonWrite"] = write_schema("person")
S["PersonCreate"] = {
    "description": "A new person: a given name or a family name is needed. relation_to_head needs a "
                   "household; consent_date is required when any consent is true.",
    "allOf": [REF("PersonWrite")],
    "anyOf": [{"required": ["given_name"]}, {"required": ["family_name"]}],
}
member_props = {
    "id": UUID, "number": {"type": "string"},
    "given_name": {"type": ["string", "null"]}, "family_name": {"type": ["string", "null"]},
    "patronymic": {"type": ["string", "null"]},
    "sex": nullable({"type": "string", "enum": next(f for f in person if f["name"] == "sex")["values"]}),
    "birth_date": nullable(REF("PartialDate")),
    "relation_to_head": nullable({"type": "string", "enum":
                                  next(f for f in person if f["name"] == "relation_to_head")["values"]}),
}
S["HouseholdMember"] = {"type": "object", "properties": member_props, "required": list(member_props)}
S["Household"] = record_schema(household, "household", "HH", {
    "size": {"type": "integer", "readOnly": True, "description": "active members (single reads only)"},
    "members": {"type": "array", "readOnly": True, "items": REF("HouseholdMember"),
                "description": "active members, head first (single reads only)"},
}, " The head must already be a member (set the person's household first). size and members appear "
   "when one household is read, not in lists.")
S["HouseholdWrite"] = write_schema("household")
rc_status = next(f for f in returncase if f["name"] == "status")["values"]
S["ReturnStatus"] = {"type": "string", "enum": rc_status, "description":
                     "registered → counselled → ready → scheduled → in_transit → arrived → followed_up; "
                     "ready may go back to counselled and scheduled to ready; suspended from any state "
                     "before arrival (resumes to the state it left); withdrawn before in_transit or "
                     "from suspended. arrived, followed_up and withdrawn are final."}
S["ReturnTransition"] = {
    "type": "object",
    "description": "One status change of a return case.",
    "properties": {"from": REF("ReturnStatus"), "to": REF("ReturnStatus"),
                   "date": {"type": "string", "format": "date"},
                   "reason": {"type": ["string", "null"]},
                   "user": {"type": ["string", "null"], "description": "username"},
                   "at": TS},
    "required": ["from", "to", "date", "reason", "user", "at"],
}
S["ReturnCase"] = record_schema(returncase, "return case", "RC", {
    "transitions": {"type": "array", "items": REF("ReturnTransition"), "readOnly": True,
                    "description": "every status change, oldest first (single reads only)"},
    "allowed_moves": {"type": "array", "items": REF("ReturnStatus"), "readOnly": True,
                      "description": "the statuses the case may move to now (single reads only)"},
    "days_to_arrival": {"type": ["integer", "null"], "readOnly": True,
                        "description": "days from requested_date to arrived_date, the 'expeditious' "
                                       "measure (single reads only)"},
}, " A case is for exactly one of household and person. status moves only through "
   "POST /api/v1/returns/{id}/transitions. transitions, allowed_moves and days_to_arrival appear when "
   "one case is read, not in lists.")
S["ReturnCaseWrite"] = write_schema("return case")
S["ReturnCaseCreate"] = {
    "description": "A new return case: exactly one of household and person, and intention. "
                   "requested_date defaults to today; status starts at registered.",
    "allOf": [REF("ReturnCaseWrite")],
    "required": ["intention"],
    "oneOf": [{"required": ["household"]}, {"required": ["person"]}],
}
S["TransitionRequest"] = {
    "type": "object",
    "properties": {
        "to": REF("ReturnStatus"),
        "reason": {"type": ["string", "null"], "maxLength": 1000,
                   "description": "required when moving to suspended or withdrawn"},
        "date": {"type": ["string", "null"], "format": "date",
                 "description": "when it happened: a full date, not in the future nor before "
                                "requested_date; default today"},
        "version": {"type": "integer", "description": "the version read, instead of If-Match"},
    },
    "required": ["to"],
    "additionalProperties": False,
}
S["HistoryEntry"] = {
    "type": "object",
    "properties": {
        "version": {"type": "integer", "description": "the record's version after this change"},
        "action": {"type": "string", "examples": ["create", "update", "transition"]},
        "at": TS,
        "user": {"type": ["string", "null"], "description": "username; null for the system"},
        "changes": {"type": "object", "description":
                    "per field: {from, to}; protected fields only {changed: true}. A move also gives "
                    "its date, reason or note and source; a row added to or changed in a record "
                    "(visit, act, period...) is given as {action, id, fields}",
                    "additionalProperties": True},
    },
    "required": ["version", "action", "at", "user", "changes"],
}
S["History"] = {"type": "object", "properties": {"items": {"type": "array", "items": REF("HistoryEntry")}},
                "required": ["items"]}
for name in ("Person", "Household", "ReturnCase", "Settlement", "User", "Token", "Organisation"):
    S[f"{name}List"] = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": REF(name)},
                       "next": {"type": ["string", "null"],
                                "description": "cursor for the next page, or null on the last"}},
        "required": ["items", "next"],
    }
S["Settlement"] = {
    "type": "object",
    "description": "A place of the gazetteer, with its names in Armenian, Azerbaijani, Russian and English.",
    "properties": {
        "id": REF("SettlementId"),
        "kind": {"type": "string", "enum": ["city", "town", "village", "other"]},
        "names": {"type": "object", "properties": {k: {"type": ["string", "null"]} for k in ("hy", "az", "ru", "en")},
                  "required": ["hy", "az", "ru", "en"]},
        "name": {"type": ["string", "null"], "description": "the English name"},
        "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
        "admin_hy": {"type": ["string", "null"], "description": "administrative unit (Armenian usage)"},
        "admin_az": {"type": ["string", "null"], "description": "administrative unit (Azerbaijani usage)"},
        "country": {"type": ["string", "null"], "description": "ISO 3166-1 alpha-2, today"},
        "source": {"type": ["string", "null"], "description": "where the coordinates come from"},
        "other_names": {"type": "array", "items": {"type": "string"},
                        "description": "other spellings (single reads only)"},
    },
    "required": ["id", "kind", "names", "name", "lat", "lon", "admin_hy", "admin_az", "country", "source"],
}
S["Role"] = {"type": "string", "enum": roles}
S["User"] = {
    "type": "object",
    "properties": {
        "id": UUID, "username": {"type": "string"}, "display_name": {"type": "string"},
        "role": REF("Role"), "language": {"type": "string", "enum": ["en", "hy", "ru", "az"]},
        "disabled": {"type": "boolean"},
        "organisation": {"type": ["string", "null"], "description": "the organisation's name"},
        "created_at": TS, "last_login_at": nullable(TS),
    },
    "required": ["id", "username", "display_name", "role", "language", "disabled", "created_at"],
}
S["UserCreate"] = {
    "type": "object",
    "properties": {
        "username": {"type": "string", "pattern": "^[A-Za-z0-9._-]{2,64}$"},
        "display_name": {"type": ["string", "null"], "maxLength": 128},
        "role": REF("Role"),
        "organisation": nullable(dict(UUID, description="the organisation's id; default the caller's")),
        "language": nullable({"type": "string", "enum": ["en", "hy", "ru", "az"]}),
        "password": {"type": ["string", "null"], "maxLength": 256,
                     "description": "omit to have one generated and returned once"},
    },
    "required": ["username", "role"],
}
S["UserCreated"] = {"allOf": [REF("User")], "properties": {
    "password": {"type": "string", "description": "the generated password, shown once (only when none was sent)"}}}
S["Organisation"] = {
    "type": "object",
    "properties": {"id": UUID, "name": {"type": "string"},
                   "kind": {"type": "string", "enum": org_kinds}, "created_at": TS},
    "required": ["id", "name", "kind", "created_at"],
}
S["OrganisationCreate"] = {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                   "kind": {"type": "string", "enum": org_kinds}},
    "required": ["name", "kind"],
}
S["Token"] = {
    "type": "object",
    "description": "An API token as listed (the secret itself is never shown again).",
    "properties": {"id": UUID, "name": {"type": "string"}, "user": {"type": "string", "description": "username"},
                   "created_at": TS, "expires_at": nullable(TS), "revoked_at": nullable(TS),
                   "last_used_at": nullable(TS)},
    "required": ["id", "name", "user", "created_at"],
}
S["TokenCreate"] = {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                   "expires_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650,
                                    "description": "omit for a token that does not expire"}},
    "required": ["name"],
}
S["TokenCreated"] = {
    "type": "object",
    "properties": {"id": UUID, "name": {"type": "string"},
                   "token": {"type": "string", "pattern": "^hwt_",
                             "description": "the secret, shown once: send it as Authorization: Bearer TOKEN"},
                   "created_at": TS, "expires_at": nullable(TS)},
    "required": ["id", "name", "token", "created_at"],
}
S["LoginRequest"] = {
    "type": "object",
    "properties": {"username": {"type": "string", "minLength": 1, "maxLength": 64},
                   "password": {"type": "string", "minLength": 1, "maxLength": 256}},
    "required": ["username", "password"],
}
S["Session"] = {
    "type": "object",
    "properties": {"user": REF("User"),
                   "csrf_token": {"type": "string"},
                   "expires_at": TS},
    "required": ["user", "csrf_token", "expires_at"],
}
S["WhoAmI"] = {
    "type": "object",
    "properties": {"user": nullable(REF("User")), "via": {"type": "string", "enum": ["session", "token"]}},
    "required": ["user", "via"],
}
S["Health"] = {
    "type": "object",
    "properties": {"status": {"type": "string", "enum": ["ok", "unavailable"]},
                   "version": {"type": "string"}, "schema": {"type": "integer",
                                                             "description": "the database's schema version"}},
    "required": ["status", "version", "schema"],
}

components["securitySchemes"] = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "an API token (homeward token create, or POST /api/v1/tokens)"},
    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "hw_session",
                   "description": "the session cookie set by POST /api/v1/sessions. Writes with a session "
                                  "must carry this site's Origin header and Content-Type: application/json "
                                  "(else 403)."},
}
components["headers"] = {
    "ETag": {"description": "the record's version, e.g. \"3\": send it back as If-Match",
             "schema": {"type": "string", "pattern": '^"[0-9]+"$'}},
    "Location": {"description": "the new record's path", "schema": {"type": "string"}},
}
P = components["parameters"]
P["id"] = {"name": "id", "in": "path", "required": True, "description": "the record's id",
           "schema": UUID}
P["limit"] = {"name": "limit", "in": "query", "description":
              "items per page. Pages of more than 100 are bulk reads: they need the export permission (403 "
              "without it) and each user may read at most 120 of them an hour (then 429 with retry_after)",
              "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}
P["cursor"] = {"name": "cursor", "in": "query",
               "description": "the next member of the previous page; only with the same sort",
               "schema": {"type": "string"}}
P["include_closed"] = {"name": "include_closed", "in": "query",
                       "description": "also list closed and duplicate records (default: active only)",
                       "schema": {"type": "string", "enum": ["true", "false"], "default": "false"}}
P["q"] = {"name": "q", "in": "query",
          "description": "name search in any script: each word must begin a name word (given, family, "
                         "patronymic or other names), after folding and transliteration",
          "schema": {"type": "string"}}
P["If-Match"] = {"name": "If-Match", "in": "header",
                 "description": "the ETag read, e.g. \"3\" (or send version in the body); a stale one gets 412",
                 "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]+"?$'}}

R = components["responses"]
problem_text = {
    400: "Malformed request: not JSON, or a bad parameter",
    401: "Not logged in: no valid session or bearer token",
    403: "The caller's role lacks the permission, or a session write lacks this site's Origin",
    404: "No record with that id",
    409: "Conflict with a rule or an existing record",
    412: "The record changed since the version sent",
    413: "The body is larger than this route accepts",
    415: "The body is not Content-Type: application/json",
    422: "A field's value is wrong; field and errors name it",
    428: "A write without If-Match or a version member",
    429: "Too many requests: failed logins for this account, or bulk pages, in the last hour",
}
for code, text in problem_text.items():
    R[str(code)] = {"description": text,
                    "content": {"application/problem+json": {"schema": REF("Problem")}}}
R["409Move"] = {"description": "The move is not allowed from the case's status; the answer lists "
                               "current and allowed_moves",
                "content": {"application/problem+json": {"schema": REF("Problem")}}}

JSON = "application/json"


def ok(code, schema, desc, record=False, location=False):
    r = {"description": desc, "content": {JSON: {"schema": schema}}}
    h = {}
    if record:
        h["ETag"] = {"$ref": "#/components/headers/ETag"}
    if location:
        h["Location"] = {"$ref": "#/components/headers/Location"}
    if h:
        r["headers"] = h
    return {str(code): r}


def body(schema, desc=None):
    b = {"required": True, "content": {JSON: {"schema": schema}}}
    if desc:
        b["description"] = desc
    return b


def filter_param(f):
    s = field_schema(f)
    if "oneOf" in s:
        s = s["oneOf"][0]
    elif isinstance(s.get("type"), list):
        s = dict(s, type=[t for t in s["type"] if t != "null"][0])
        if "enum" in s:
            s["enum"] = [v for v in s["enum"] if v is not None]
    s.pop("readOnly", None)
    desc = f"only records whose {f['name']} equals this"
    if f["type"] == "RT_BOOL":
        s = {"type": "string", "enum": ["true", "false"]}
    if f["name"] == "record_status":
        desc += " (closed or duplicate ones also need include_closed=true)"
    return {"name": f["name"], "in": "query", "description": desc, "schema": s}


def list_params(fields, q, closed):
    ps = [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}]
    sort = []
    for n in sorts(fields):
        sort += [n, "-" + n]
    ps.append({"name": "sort", "in": "query",
               "description": "a sortable field, descending with a leading -; default: creation order",
               "schema": {"type": "string", "enum": sort}})
    if q:
        ps.append({"$ref": "#/components/parameters/q"})
    if closed:
        ps.append({"$ref": "#/components/parameters/include_closed"})
    ps += [filter_param(f) for f in filters(fields)]
    return ps


ID = [{"$ref": "#/components/parameters/id"}]
IFM = [{"$ref": "#/components/parameters/If-Match"}]


purposes = re.findall(r'"([^"]+)"', re.search(r"purposes\[\] = \{(.*?)\};", c_source("registry.c"), re.S).group(1))


def reveal_params(fields):
    prot = [f["name"] for f in fields if "RF_PROTECTED" in f["flags"]]
    if not prot:
        return []
    return [{"name": "reveal", "in": "query", "description":
             "comma-separated protected fields to show, for a role that may see them: "
             + ", ".join(prot) + ". Needs purpose; each reveal is audited",
             "schema": {"type": "string"}},
            {"name": "purpose", "in": "query", "description": "why the protected fields are revealed",
             "schema": {"type": "string", "enum": purposes}}]


def entity_ops(base, schema, create_schema, fields, plural, singular, q, closed):
    return {
        ("GET", base): dict(operationId=f"list{plural}", tags=[plural],
                            parameters=list_params(fields, q, closed),
                            responses={**ok(200, REF(f"{schema}List"), f"a page of {plural.lower()}")},
                            errors=[400, 429]),
        ("POST", base): dict(operationId=f"create{singular}", tags=[plural],
                             requestBody=body(REF(create_schema)),
                             responses={**ok(201, REF(schema), "created", record=True, location=True)},
                             errors=[400, 413, 415, 422]),
        ("GET", base + "/{id}"): dict(operationId=f"get{singular}", tags=[plural],
                                      parameters=ID + reveal_params(fields),
                                      responses={**ok(200, REF(schema), "the record", record=True)},
                                      errors=[400, 404] if reveal_params(fields) else [404]),
        ("PATCH", base + "/{id}"): dict(operationId=f"update{singular}", tags=[plural], parameters=ID + IFM,
                                        requestBody=body(REF(schema + "Write"), "the members to change (merge-patch "
                                                         "style; application/merge-patch+json is accepted)"),
                                        responses={**ok(200, REF(schema), "the changed record", record=True)},
                                        errors=[400, 404, 412, 413, 415, 422, 428]),
        ("GET", base + "/{id}/history"): dict(operationId=f"get{singular}History", tags=[plural], parameters=ID,
                                              responses={**ok(200, REF("History"), "every version, oldest first")},
                                              errors=[404]),
    }


OPS = {}
OPS.update(entity_ops("/api/v1/persons", "Person", "PersonCreate", person, "Persons", "Person", True, True))
OPS.update(entity_ops("/api/v1/households", "Household", "HouseholdWrite", household, "Households", "Household",
                      False, True))
OPS.update(entity_ops("/api/v1/returns", "ReturnCase", "ReturnCaseCreate", returncase, "ReturnCases",
                      "ReturnCase", False, False))
for k in OPS:
    OPS[k]["tags"] = [{"Persons": "Persons", "Households": "Households", "ReturnCases": "Return cases"}[OPS[k]["tags"][0]]]
OPS[("POST", "/api/v1/returns/{id}/transitions")] = dict(
    operationId="moveReturnCase", tags=["Return cases"], parameters=ID + IFM,
    requestBody=body(REF("TransitionRequest")),
    responses={**ok(200, REF("ReturnCase"), "the case after the move", record=True), "409": {"$ref": "#/components/responses/409Move"}},
    errors=[400, 404, 412, 413, 415, 422])
OPS[("GET", "/api/v1/health")] = dict(
    operationId="getHealth", tags=["Meta"],
    responses={**ok(200, REF("Health"), "up"),
               "503": {"description": "the database is not readable", "content": {JSON: {"schema": REF("Health")}}}},
    errors=[])
OPS[("GET", "/api/v1/openapi.json")] = dict(
    operationId="getOpenApi", tags=["Meta"],
    responses={**ok(200, {"type": "object"}, "this document")}, errors=[])
OPS[("POST", "/api/v1/sessions")] = dict(
    operationId="login", tags=["Sessions"], requestBody=body(REF("LoginRequest")),
    responses={"201": {"description": "logged in; the hw_session cookie is set (HttpOnly, SameSite=Strict)",
                       "headers": {"Set-Cookie": {"schema": {"type": "string"}}},
                       "content": {JSON: {"schema": REF("Session")}}},
               "401": {"$ref": "#/components/responses/401"}, "429": {"$ref": "#/components/responses/429"}},
    errors=[400, 413, 415, 422])
OPS[("GET", "/api/v1/sessions/current")] = dict(
    operationId="getCurrentSession", tags=["Sessions"],
    responses={**ok(200, REF("WhoAmI"), "the caller")}, errors=[])
OPS[("DELETE", "/api/v1/sessions/current")] = dict(
    operationId="logout", tags=["Sessions"],
    responses={"200": {"description": "logged out; the cookie is cleared",
                       "content": {JSON: {"schema": {"type": "object", "properties": {"logged_out": {"const": True}},
                                                     "required": ["logged_out"]}}}}},
    errors=[400])
OPS[("GET", "/api/v1/tokens")] = dict(
    operationId="listTokens", tags=["Tokens"],
    parameters=[{"name": "all", "in": "query", "description": "admins: every user's tokens",
                 "schema": {"type": "string", "enum": ["true", "false"]}}],
    responses={**ok(200, REF("TokenList"), "the caller's tokens (next is always null)")}, errors=[])
OPS[("POST", "/api/v1/tokens")] = dict(
    operationId="createToken", tags=["Tokens"], requestBody=body(REF("TokenCreate")),
    responses={**ok(201, REF("TokenCreated"), "the new token, its secret shown once")},
    errors=[400, 413, 415, 422])
OPS[("DELETE", "/api/v1/tokens/{id}")] = dict(
    operationId="revokeToken", tags=["Tokens"], parameters=ID,
    responses={"200": {"description": "revoked", "content": {JSON: {"schema": {
        "type": "object", "properties": {"id": UUID, "revoked": {"const": True}}, "required": ["id", "revoked"]}}}}},
    errors=[404])
OPS[("GET", "/api/v1/settlements")] = dict(
    operationId="searchSettlements", tags=["Settlements"],
    parameters=[{"name": "q", "in": "query", "required": True,
                 "description": "part of a settlement name in any language or spelling",
                 "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                                            "default": 20}}],
    responses={**ok(200, REF("SettlementList"), "matches, exact names first (next is always null)")},
    errors=[400])
OPS[("GET", "/api/v1/settlements/{id}")] = dict(
    operationId="getSettlement", tags=["Settlements"],
    parameters=[{"name": "id", "in": "path", "required": True, "schema": REF("SettlementId")}],
    responses={**ok(200, REF("Settlement"), "the settlement")}, errors=[404])
OPS[("GET", "/api/v1/users")] = dict(
    operationId="listUsers", tags=["Users"],
    responses={**ok(200, REF("UserList"), "every user (next is always null)")}, errors=[])
OPS[("POST", "/api/v1/users")] = dict(
    operationId="createUser", tags=["Users"], requestBody=body(REF("UserCreate")),
    responses={**ok(201, REF("UserCreated"), "the new user"),
                          "409": {"description": "the username is taken",
                       "content": {"application/problem+json": {"schema": REF("Problem")}}}},
    errors=[400, 413, 415, 422])
OPS[("GET", "/api/v1/organisations")] = dict(
    operationId="listOrganisations", tags=["Organisations"],
    responses={**ok(200, REF("OrganisationList"), "every organisation (next is always null)")}, errors=[])
OPS[("POST", "/api/v1/organisations")] = dict(
    operationId="createOrganisation", tags=["Organisations"], requestBody=body(REF("OrganisationCreate")),
    responses={**ok(201, REF("Organisation"), "the new organisation"),
               "409": {"description": "an organisation with that name exists",
                       "content": {"application/problem+json": {"schema": REF("Problem")}}}},
    errors=[400, 413, 415, 422])

# ---- the monitoring registries: detainees, tracing, incidents, links, commitments ----
def child_schema(fields, desc, extra=None):
    props = {"id": dict(UUID, readOnly=True)}
    for f in fields:
        sch = field_schema(f)
        if "RF_PROTECTED" in f["flags"]:
            sch = {"allOf": [sch], "x-protected": True, "description": "protected: sealed in the database"}
        props[f["name"]] = sch
    if extra:
        props.update(extra)
    req = [f["name"] for f in fields if "RF_REQUIRED" in f["flags"]]
    out = {"type": "object", "description": desc, "properties": props}
    if req:
        out["required"] = req
    return out


def create_schema(name, fields, desc, more=None):
    req = [f["name"] for f in fields if "RF_REQUIRED" in f["flags"] and not f["flags"] & {"RF_READONLY", "RF_VIRTUAL"}]
    sch = {"description": desc, "allOf": [REF(name + "Write")]}
    if req:
        sch["required"] = req
    if more:
        sch.update(more)
    return sch


def enum_of(fields, name):
    return next(f for f in fields if f["name"] == name)["values"]


def move_schema(statuses, note, source, desc):
    props = {"to": {"type": "string", "enum": statuses},
             "date": {"type": ["string", "null"], "format": "date",
                      "description": "when it happened: a full date, not in the future nor before the current "
                                     "status's date; default today"},
             note: {"type": ["string", "null"], "maxLength": 2000},
             "version": {"type": "integer", "description": "the version read, instead of If-Match"}}
    if source:
        props["source"] = {"type": ["string", "null"], "maxLength": 500}
    return {"type": "object", "description": desc, "properties": props, "required": ["to"],
            "additionalProperties": False}


MON = [
    # file, base path, schema, tag, operation noun, decorations described
    ("detainee.c", "/api/v1/detainees", "Detainee", "Detainees", "Detainee",
     "A single read adds events, visits, proceedings and transfers."),
    ("tracing.c", "/api/v1/tracing-requests", "TracingRequest", "Tracing requests", "TracingRequest",
     "A single read adds its moves, allowed moves and candidates."),
    ("incident.c", "/api/v1/incidents", "Incident", "Incidents", "Incident",
     "A single read adds acts, perpetrators, sources, the verification history and ties."),
    ("link.c", "/api/v1/links", "Link", "Links", "Link",
     "A single read adds its status periods and current status."),
    ("commitment.c", "/api/v1/commitments", "Commitment", "Commitments", "Commitment",
     "A single read adds its current level, assessments and suggested evidence."),
]
mon_fields = {}
for fname, base, name, tag, noun, deco in MON:
    fields = parse_entity(fname)
    mon_fields[name] = fields
    info = ENTITY_INFO[fname]
    org = "RE_ORG" in info["flags"]
    S[name] = record_schema(fields, info["kind"].replace("_", " "), info["prefix"], None,
                            " " + deco + " Further members may be added to single reads.", org=org)
    S[name + "Write"] = write_schema(info["kind"].replace("_", " "))
    S[name + "List"] = {"type": "object",
                        "properties": {"items": {"type": "array", "items": REF(name)},
                                       "next": {"type": ["string", "null"]}},
                        "required": ["items", "next"]}
    extra_create = {}
    if name == "Detainee":
        extra_create = {"anyOf": [{"required": ["surname"]}, {"required": ["first_names"]}, {"required": ["person"]}]}
    S[name + "Create"] = create_schema(name, fields, f"A new {info['kind'].replace('_', ' ')}.", extra_create)
    ops = entity_ops(base, name, name + "Create", fields, tag, noun, info["search"],
                     any(f["name"] == "record_status" for f in fields))
    for k in ops:
        ops[k]["tags"] = [tag]
        ops[k]["operationId"] = ops[k]["operationId"].replace(tag, noun + "s") if k[0] == "GET" and k[1] == base \
            else ops[k]["operationId"]
    OPS.update(ops)

TAGS_EXTRA = [m[3] for m in MON] + ["Indicators"]
# commitment sources: the shipped instruments, or an agreement by name (commitment.c)
src_c = c_source("commitment.c")
known_src = sorted(set(re.findall(r'strcmp\(src, "([a-z0-9_]+)"\)', src_c)))
for nm in ("Commitment", "CommitmentWrite"):
    S[nm]["properties"]["source"] = dict(S[nm]["properties"]["source"], pattern="^(" + "|".join(known_src) +
                                         "|agreement:.+)$", description="the instrument: " + ", ".join(known_src)
                                         + " or agreement:NAME")

# detainees
det = mon_fields["Detainee"]
S["DetaineeMove"] = move_schema(enum_of(det, "status"), "note", True,
                                "A detainee's status event. 409 lists the allowed moves.")
S["DetaineeEvent"] = {"type": "object", "description": "One dated status event.",
                      "properties": {"from": {"type": ["string", "null"]}, "to": {"type": "string"},
                                     "date": {"type": "string"}}}
for tbl, nm, desc in (("visit_fields", "DetaineeVisit", "A visit to a detainee (moves a detained person to visited)."),
                      ("proceeding_fields", "DetaineeProceeding", "Legal proceedings against a detainee."),
                      ("transfer_fields", "DetaineeTransfer", "A transfer between places of detention.")):
    S[nm] = child_schema(parse_entity("detainee.c", tbl), desc)
OPS[("GET", "/api/v1/detainees/{id}/events")] = dict(
    operationId="listDetaineeEvents", tags=["Detainees"], parameters=ID,
    responses={**ok(200, {"type": "object", "properties": {"items": {"type": "array", "items": REF("DetaineeEvent")}}},
                    "the events, oldest first")}, errors=[404])
OPS[("POST", "/api/v1/detainees/{id}/events")] = dict(
    operationId="moveDetainee", tags=["Detainees"], parameters=ID + IFM, requestBody=body(REF("DetaineeMove")),
    responses={**ok(200, REF("Detainee"), "the detainee after the move", record=True),
               "409": {"$ref": "#/components/responses/409Move"}},
    errors=[400, 404, 412, 413, 415, 422])
for seg, nm in (("visits", "DetaineeVisit"), ("proceedings", "DetaineeProceeding"), ("transfers", "DetaineeTransfer")):
    OPS[("POST", f"/api/v1/detainees/{{id}}/{seg}")] = dict(
        operationId=f"add{nm}", tags=["Detainees"], parameters=ID, requestBody=body(REF(nm)),
        responses={**ok(201, REF(nm), "the row added")}, errors=[400, 404, 413, 415, 422])

# tracing
tr = mon_fields["TracingRequest"]
S["TracingMove"] = move_schema(enum_of(tr, "status"), "reason", False,
                               "A tracing request's move; reason is required to close. A request is confirmed by "
                               "confirming a candidate. 409 lists the allowed moves.")
S["TracingMatch"] = {"type": "object", "description": "A candidate: a person or detainee who may be the sought one.",
                     "properties": {"id": UUID}}
S["MatchProposal"] = {"type": "object", "properties": {"person": UUID, "detainee": UUID,
                                                      "note": {"type": ["string", "null"], "maxLength": 1000}},
                      "oneOf": [{"required": ["person"]}, {"required": ["detainee"]}], "additionalProperties": False}
S["MatchDecision"] = {"type": "object", "properties": {
    "decision": {"type": "string", "enum": ["confirmed", "rejected"]},
    "date": {"type": ["string", "null"], "format": "date"}, "note": {"type": ["string", "null"], "maxLength": 1000}},
    "required": ["decision"], "additionalProperties": False}
S["MatchConsent"] = {"type": "object", "description": "What the found person said about telling the inquirer.",
                     "properties": {"consent": {"type": "boolean"}, "date": {"type": ["string", "null"], "format": "date"},
                                    "note": {"type": ["string", "null"], "maxLength": 1000}},
                     "required": ["consent"], "additionalProperties": False}
TID = ID + [{"name": "match", "in": "path", "required": True, "description": "the candidate's id", "schema": UUID}]
OPS[("POST", "/api/v1/tracing-requests/{id}/transitions")] = dict(
    operationId="moveTracingRequest", tags=["Tracing requests"], parameters=ID + IFM,
    requestBody=body(REF("TracingMove")),
    responses={**ok(200, REF("TracingRequest"), "the request after the move", record=True),
               "409": {"$ref": "#/components/responses/409Move"}},
    errors=[400, 404, 412, 413, 415, 422])
OPS[("GET", "/api/v1/tracing-requests/{id}/matches")] = dict(
    operationId="listTracingMatches", tags=["Tracing requests"], parameters=ID,
    responses={**ok(200, {"type": "object", "properties": {"items": {"type": "array", "items": REF("TracingMatch")}}},
                    "the candidates")}, errors=[404])
OPS[("POST", "/api/v1/tracing-requests/{id}/matches")] = dict(
    operationId="proposeTracingMatch", tags=["Tracing requests"], parameters=ID, requestBody=body(REF("MatchProposal")),
    responses={**ok(201, {"type": "object"}, "the candidate added"),
               "409": {"$ref": "#/components/responses/409"}}, errors=[400, 404, 413, 415, 422])
OPS[("POST", "/api/v1/tracing-requests/{id}/matches/{match}/decision")] = dict(
    operationId="decideTracingMatch", tags=["Tracing requests"], parameters=TID, requestBody=body(REF("MatchDecision")),
    responses={**ok(200, {"type": "object"}, "the request after the decision"),
               "409": {"$ref": "#/components/responses/409"}}, errors=[400, 404, 413, 415, 422])
OPS[("POST", "/api/v1/tracing-requests/{id}/matches/{match}/consent")] = dict(
    operationId="recordMatchConsent", tags=["Tracing requests"], parameters=TID, requestBody=body(REF("MatchConsent")),
    responses={**ok(200, {"type": "object"}, "the request after the consent is recorded"),
               "409": {"$ref": "#/components/responses/409"}}, errors=[400, 404, 413, 415, 422])
OPS[("POST", "/api/v1/tracing-requests/{id}/disclosure")] = dict(
    operationId="getTracingDisclosure", tags=["Tracing requests"], parameters=ID,
    responses={**ok(200, {"type": "object", "properties": {"found": {"type": "array", "items": {"type": "object"}}}},
                    "what may be told to the inquirer; found persons' details only with their consent (audited)")},
    errors=[404])

# incidents
inc = mon_fields["Incident"]
S["IncidentVerification"] = move_schema(enum_of(inc, "verification"), "reason", False,
                                        "A change of an incident's verification, with its reason (required). "
                                        "409 lists the allowed moves.")
S["IncidentVerification"]["required"] = ["to", "reason"]
for tbl, nm, desc in (("act_fields", "IncidentAct", "An act of an incident: its victim, type and consequences."),
                      ("perpetrator_fields", "IncidentPerpetrator", "An alleged perpetrator, as reported."),
                      ("source_fields", "IncidentSource", "A source of an incident, with its reliability.")):
    S[nm] = child_schema(parse_entity("incident.c", tbl), desc)
roles_m = re.findall(r'"([^"]+)"', re.search(r"person_roles\[\] = \{(.*?)\};", c_source("incident.c"), re.S).group(1))
S["IncidentPersonTie"] = {"type": "object", "properties": {"person": UUID, "role": {"type": "string", "enum": roles_m,
                                                                                   "default": "victim"}},
                          "required": ["person"], "additionalProperties": False}
S["IncidentReturnTie"] = {"type": "object", "description": "An incident as an obstacle to a return case.",
                          "properties": {"return_case": UUID,
                                         "kind": {"type": ["string", "null"], "maxLength": 100, "default": "incident"},
                                         "note": {"type": ["string", "null"], "maxLength": 1000}},
                          "required": ["return_case"], "additionalProperties": False}
S["IncidentLinkTie"] = {"type": "object", "description": "An incident as a blockade event of a link (or one of its "
                                                         "periods).",
                        "properties": {"link": UUID, "period": UUID}, "required": ["link"],
                        "additionalProperties": False}
OPS[("POST", "/api/v1/incidents/{id}/verifications")] = dict(
    operationId="verifyIncident", tags=["Incidents"], parameters=ID + IFM, requestBody=body(REF("IncidentVerification")),
    responses={**ok(200, REF("Incident"), "the incident after the change", record=True),
               "409": {"$ref": "#/components/responses/409Move"}},
    errors=[400, 404, 412, 413, 415, 422])
for seg, nm, verb in (("acts", "IncidentAct", "addIncidentAct"), ("perpetrators", "IncidentPerpetrator",
                                                                  "addIncidentPerpetrator"),
                      ("sources", "IncidentSource", "addIncidentSource"), ("persons", "IncidentPersonTie",
                                                                          "tieIncidentToPerson"),
                      ("returns", "IncidentReturnTie", "tieIncidentToReturnCase"), ("links", "IncidentLinkTie",
                                                                                   "tieIncidentToLink")):
    OPS[("POST", f"/api/v1/incidents/{{id}}/{seg}")] = dict(
        operationId=verb, tags=["Incidents"], parameters=ID, requestBody=body(REF(nm)),
        responses={**ok(201, {"type": "object"}, "what was added")}, errors=[400, 404, 413, 415, 422])

# links
S["LinkPeriod"] = child_schema(parse_entity("link.c", "period_fields"),
                               "A status period of a link: open, restricted or closed from one date to another "
                               "(to null: still lasting).",
                               {"incidents": {"type": "array", "items": UUID,
                                              "description": "incidents that caused or reported it"}})
S["LinkPeriodPatch"] = {"type": "object", "description": "The members of a period to change, e.g. to to end it.",
                        "properties": dict(S["LinkPeriod"]["properties"])}
S["LinkPeriodPatch"]["properties"].pop("id")
AT = {"name": "at", "in": "query", "description": "as of this date (default today)",
      "schema": {"type": "string", "format": "date"}}
OPS[("GET", "/api/v1/links/{id}/periods")] = dict(
    operationId="listLinkPeriods", tags=["Links"], parameters=ID + [AT],
    responses={**ok(200, {"type": "object", "properties": {"items": {"type": "array", "items": REF("LinkPeriod")}}},
                    "the periods, the current status and the closures")}, errors=[400, 404])
OPS[("POST", "/api/v1/links/{id}/periods")] = dict(
    operationId="addLinkPeriod", tags=["Links"], parameters=ID, requestBody=body(REF("LinkPeriod")),
    responses={**ok(201, REF("LinkPeriod"), "the period added"),
               "409": {"description": "the period overlaps another",
                       "content": {"application/problem+json": {"schema": REF("Problem")}}}},
    errors=[400, 404, 413, 415, 422])
OPS[("PATCH", "/api/v1/links/{id}/periods/{period}")] = dict(
    operationId="updateLinkPeriod", tags=["Links"],
    parameters=ID + [{"name": "period", "in": "path", "required": True, "schema": UUID}],
    requestBody=body(REF("LinkPeriodPatch")),
    responses={**ok(200, REF("LinkPeriod"), "the changed period"),
               "409": {"description": "the period would overlap another",
                       "content": {"application/problem+json": {"schema": REF("Problem")}}}},
    errors=[400, 404, 413, 415, 422])
OPS[("GET", "/api/v1/links/all-open")] = dict(
    operationId="getLinksAllOpen", tags=["Links"],
    parameters=[AT, {"name": "links", "in": "query", "description": "comma-separated link ids (default: every link)",
                     "schema": {"type": "string"}}],
    responses={**ok(200, {"type": "object", "properties": {
        "at": {"type": "string"}, "links": {"type": "array"}, "all_open": {"type": "array",
                                                                           "description": "the intervals in which "
                                                                           "all the links were open at once"},
    }}, "the complete and simultaneous lifting indicator")}, errors=[400])

# commitments
S["CommitmentAssessment"] = child_schema(parse_entity("commitment.c", "assessment_fields"),
                                         "An assessment on the Peace Accords Matrix scale: 0 not initiated, "
                                         "1 minimal, 2 intermediate, 3 full.",
                                         {"evidence": {"type": "array", "description": "records cited as evidence",
                                                       "items": {"type": "object"}}})
OPS[("GET", "/api/v1/commitments/{id}/assessments")] = dict(
    operationId="listCommitmentAssessments", tags=["Commitments"], parameters=ID,
    responses={**ok(200, {"type": "object"}, "the assessments, and the current level")}, errors=[404])
OPS[("POST", "/api/v1/commitments/{id}/assessments")] = dict(
    operationId="assessCommitment", tags=["Commitments"], parameters=ID, requestBody=body(REF("CommitmentAssessment")),
    responses={**ok(201, REF("CommitmentAssessment"), "the assessment added")}, errors=[400, 404, 413, 415, 422])

# indicators
OPS[("GET", "/api/v1/indicators")] = dict(
    operationId="getIndicators", tags=["Indicators"], parameters=[AT],
    responses={**ok(200, {"type": "object"}, "every indicator as of the date")}, errors=[400])
OPS[("GET", "/api/v1/indicators/{area}")] = dict(
    operationId="getIndicatorArea", tags=["Indicators"],
    parameters=[{"name": "area", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "the area, e.g. returns"}, AT],
    responses={**ok(200, {"type": "object"}, "the area's indicators as of the date")}, errors=[400, 404])

# erasure
erase_reasons = re.findall(r'"([^"]+)"', re.search(r"reasons\[\] = \{(.*?)\};", c_source("erase.c"), re.S).group(1))
S["ErasureRequest"] = {"type": "object", "properties": {"reason": {"type": "string", "enum": erase_reasons}},
                       "required": ["reason"]}
for base, tag, noun in (("/api/v1/persons", "Persons", "Person"), ("/api/v1/households", "Households", "Household"),
                        ("/api/v1/returns", "Return cases", "ReturnCase")):
    OPS[("POST", base + "/{id}/erasure")] = dict(
        operationId=f"erase{noun}", tags=[tag], parameters=ID, requestBody=body(REF("ErasureRequest")),
        responses={"200": {"description": "erased: the record's personal data is gone; the erasure is audited",
                           "content": {JSON: {"schema": {"type": "object", "properties": {
                               "id": UUID, "erased": {"const": True}}, "required": ["id", "erased"]}}}}},
        errors=[400, 404, 413, 415, 422])

# likely duplicates and the review queue (dedup.c)
S["DuplicatePair"] = {"type": "object", "description": "A candidate pair of person records that may be one person, "
                                                       "with its probability and a field-by-field explanation.",
                      "properties": {"id": UUID}}
OPS[("GET", "/api/v1/persons/{id}/duplicates")] = dict(
    operationId="listPersonDuplicates", tags=["Duplicates"], parameters=ID,
    responses={**ok(200, {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}},
                    "the person's likely duplicates, each explained field by field")}, errors=[404])
OPS[("GET", "/api/v1/duplicates")] = dict(
    operationId="listDuplicatePairs", tags=["Duplicates"],
    parameters=[{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "confirmed",
                                                                                         "rejected"],
                                                             "default": "pending"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                            "default": 50}},
                {"$ref": "#/components/parameters/cursor"}],
    responses={**ok(200, {"type": "object", "properties": {"items": {"type": "array", "items": REF("DuplicatePair")},
                                                           "next": {"type": ["string", "null"]}},
                          "required": ["items", "next"]}, "the review queue, most likely pairs first")},
    errors=[400])
OPS[("POST", "/api/v1/duplicates/{id}/decision")] = dict(
    operationId="decideDuplicatePair", tags=["Duplicates"], parameters=ID,
    requestBody=body({"type": "object", "properties": {"decision": {"type": "string",
                                                                    "enum": ["confirm", "reject", "undo"],
                                                                    "description": "confirm merges the pair (the "
                                                                    "duplicate is marked, nothing is deleted)"}},
                      "required": ["decision"]}),
    responses={**ok(200, {"type": "object", "properties": {
        "id": UUID, "status": {"type": "string", "enum": ["pending", "confirmed", "rejected"]},
        "kept": nullable(UUID), "duplicate": nullable(UUID)}, "required": ["id", "status"]}, "the pair after the decision"),
        "409": {"$ref": "#/components/responses/409"}},
    errors=[400, 404, 413, 415, 422])
TAGS_EXTRA.append("Duplicates")

paths = {}
seen = set()
for rt in routes:
    key = (rt["method"], rt["path"])
    if key not in OPS:
        sys.exit(f"no description for {key}")
    seen.add(key)
    spec = dict(OPS[key])
    errors = spec.pop("errors")
    public = rt["permission"] == "public"
    op = {"operationId": spec["operationId"], "summary": rt["summary"], "tags": spec["tags"]}
    if "parameters" in spec:
        op["parameters"] = spec["parameters"]
    if "requestBody" in spec:
        op["requestBody"] = spec["requestBody"]
    responses = dict(spec["responses"])
    codes = set(errors)
    if not public:
        codes |= {401, 403}
    for c in sorted(codes):
        responses.setdefault(str(c), {"$ref": f"#/components/responses/{c}"})
    op["responses"] = dict(sorted(responses.items()))
    op["security"] = [] if public else [{"bearerAuth": []}, {"cookieAuth": []}]
    op["x-permission"] = rt["permission"]
    op["x-body-max"] = rt["body_max"]
    paths.setdefault(rt["path"], {})[rt["method"].lower()] = op
missing = set(OPS) - seen
if missing:
    sys.exit(f"described but not routed: {sorted(missing)}")

doc = {
    "openapi": "3.1.0",
    "info": {
        "title": "Homeward API",
        "version": "1",
        "summary": "Registries and monitoring of return and release: persons, households, return cases.",
        "description": "JSON under /api/v1. Ids in URLs are UUIDs. Lists answer {\"items\": [...], "
                       "\"next\": cursor or null}: pass next back as cursor for the following page. "
                       "Errors are RFC 9457 application/problem+json naming the field. Records carry a "
                       "version, sent as the ETag; a change needs If-Match (or a version member) and a "
                       "stale one gets 412. Authenticate with a bearer token or the hw_session cookie; "
                       "x-permission names the permission each operation needs (see homeward routes).",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    "tags": [{"name": n} for n in ("Meta", "Sessions", "Tokens", "Persons", "Households", "Return cases",
                                   "Settlements", "Users", "Organisations", *TAGS_EXTRA)],
    "paths": paths,
    "components": components,
}
json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
