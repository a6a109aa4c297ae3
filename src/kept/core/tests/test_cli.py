import subprocess
import sys

import pytest

from kept.cli import main
from kept.core import actions
from kept.core.models import ApiToken, AuditEntry


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_user_create_with_password_from_option_or_environment(db, capsys, monkeypatch):
    from django.contrib.auth import get_user_model

    code, out, _err = run(
        capsys, "user", "create", "li", "--role", "warehouse", "--password", "s3cret-pass!"
    )
    assert code == 0 and "li" in out
    user = get_user_model().objects.get(username="li")
    assert user.check_password("s3cret-pass!") and user.groups.get().name == "warehouse"

    monkeypatch.setenv("KEPT_PASSWORD", "from-the-env-1")
    assert run(capsys, "user", "create", "zhao", "--role", "staff")[0] == 0
    assert get_user_model().objects.get(username="zhao").check_password("from-the-env-1")

    monkeypatch.delenv("KEPT_PASSWORD")
    code, _out, err = run(capsys, "user", "create", "nopass", "--role", "staff")
    assert code == 2 and "--password" in err
    assert run(capsys, "user", "create", "li", "--role", "staff", "--password", "x")[0] == 2


def test_token_create_prints_only_the_token_and_revoke_works(db, capsys, staff, client):
    code, out, _err = run(capsys, "token", "create", staff.username)
    token = out.strip()
    assert code == 0 and token.startswith("kept_") and len(out.splitlines()) == 1
    assert client.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    prefix = ApiToken.objects.get().prefix
    assert run(capsys, "token", "revoke", f"kept_{prefix}")[0] == 0
    assert client.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_a_prefix_starting_with_a_dash_is_revoked_as_the_list_shows_it(db, capsys, staff):
    token, _raw = actions.create_token(staff)
    ApiToken.objects.filter(pk=token.pk).update(prefix="-Ab3dEf9")  # 1 token in 64 starts so
    code, out, _err = run(capsys, "token", "list", staff.username)
    assert code == 0 and out.startswith("kept_-Ab3dEf9  ")
    assert run(capsys, "token", "revoke", "kept_-Ab3dEf9")[0] == 0
    assert ApiToken.objects.get().revoked_at is not None


def test_set_role_is_audited(db, capsys, staff):
    assert (
        run(capsys, "user", "set-role", staff.username, "viewer", "--reason", "moved to reception")[
            0
        ]
        == 0
    )
    staff.refresh_from_db()
    assert [g.name for g in staff.groups.all()] == ["viewer"]
    entry = AuditEntry.objects.get(action="user.set_role")
    assert entry.changes == {"role": ["staff", "viewer"]} and entry.reason == "moved to reception"


def test_python_dash_m_kept_shows_help():
    result = subprocess.run(
        [sys.executable, "-m", "kept", "--help"],
        capture_output=True,
        text=True,
        env={"KEPT_DEBUG": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ["serve", "demo", "migrate", "user", "token", "import", "export"]:
        assert command in result.stdout


def test_import_and_export_from_the_command_line(db, capsys, tmp_path):
    from kept.customers.models import Customer

    good = tmp_path / "customers.csv"
    good.write_bytes(
        "code,name,phone\nH1,王芳,13800000000\nH2,李娜,13900000000\n".encode("gb18030")
    )
    code, out, _err = run(capsys, "import", "customers", str(good), "--dry-run")
    assert code == 0 and "Would import 2 rows" in out
    assert not Customer.objects.exists()
    assert run(capsys, "import", "customers", str(good))[0] == 0
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["李娜", "王芳"]

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nH3,ok\nH4,\n", encoding="utf-8")
    code, _out, err = run(capsys, "import", "customers", str(bad))
    assert code == 1 and "3" in err and "name" in err  # in KEPT_LANGUAGE (zh-hans by default)
    assert Customer.objects.count() == 2

    exported = tmp_path / "out.xlsx"
    assert run(capsys, "export", "customers", str(exported))[0] == 0
    assert exported.read_bytes()[:2] == b"PK"
