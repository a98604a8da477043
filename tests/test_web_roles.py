"""Every write of the web UI refuses a logged-in user without its role (issue 12). Each post carries a
valid CSRF token, so the 403 is the role check, not the CSRF one; the audit log names who and what."""

import pytest
from webtools import csrf_token

DAY = "2026-11-22"

# (path, the role that must be refused)
WRITES = [
    ("/incidents/new", "volunteer"),
    ("/incidents/1/edit", "volunteer"),
    ("/incidents/1/delete", "volunteer"),
    ("/incidents/1/restore", "volunteer"),
    ("/incidents/import", "volunteer"),
    (f"/warnings/{DAY}/render", "volunteer"),
    (f"/warnings/{DAY}/approve", "volunteer"),
    (f"/warnings/{DAY}/approve", "clerk"),
    (f"/warnings/{DAY}/publish", "volunteer"),
    (f"/warnings/{DAY}/retry", "volunteer"),
    (f"/forward/{DAY}/done", "volunteer"),
    ("/rota/2026-W48/plan", "volunteer"),
    ("/rota/event/1/record", "volunteer"),
    ("/users", "clerk"),
    ("/users", "chief"),
    ("/users/zhou/disable", "clerk"),
    ("/users/zhou/disable", "chief"),
    ("/users/zhou/disable", "volunteer"),
]


@pytest.mark.parametrize(("path", "role"), WRITES)
def test_every_write_needs_its_role(web, path, role):
    web.add_user("zhou", "clerk")
    user = web.client(f"u_{role}", role, person="蒋志愿者" if role == "volunteer" else None)
    token = csrf_token(web.get(user, "/rota/mine" if role == "volunteer" else "/status").text)
    response = user.post(path, data={"csrf_token": token, "id": "1", "group": "g", "subject": "s",
                                     "username": "x1", "role": "admin", "password": "whatever-123"},
                         base_url="https://localhost")  # fmt: skip
    assert response.status_code == 403, (path, role, response.status_code)
    with web.app.db.session() as session:
        from antifraud.accounts.service import audit_entries

        assert [e.action for e in audit_entries(session) if not e.action.startswith("user.add")] == []


def test_the_audit_log_names_who_and_what(web, run):
    """Who entered, changed, approved, published, forwarded: the user and the target, not only the action."""
    clerk = web.client("zhou", "clerk")
    saved = web.post(clerk, "/incidents/new", {"date": DAY, "category": "order_brushing", "loss": "100"},
                     form_page="/incidents/new")  # fmt: skip
    assert saved.status_code == 302
    with web.app.db.session() as session:
        from antifraud.accounts.service import audit_entries

        [entry] = [e for e in audit_entries(session) if e.action == "incident.create"]
        assert (entry.by, entry.station_code, entry.details["day"]) == ("zhou", "shigu", DAY)
        assert entry.target.startswith("incident ")
