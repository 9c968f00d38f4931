"""The scaled profile's PostgreSQL holds the conversations: it listens on loopback only and refuses a client
without the generated password (docs/security.md)."""
import psycopg2
import pytest

from clinic_bot.launcher.services import POSTGRES_DB, POSTGRES_USER


def connect(scaled, password: str):
    return psycopg2.connect(host="127.0.0.1", port=scaled.postgres_port, user=POSTGRES_USER, password=password,
                            dbname=POSTGRES_DB, connect_timeout=10)


def test_postgres_refuses_a_wrong_password_and_takes_the_generated_one(scaled):
    with pytest.raises(psycopg2.OperationalError, match="password"):
        connect(scaled, "not-the-password")
    with connect(scaled, scaled.postgres.password_file.read_text().strip()) as connection:
        assert connection.closed == 0
    connection.close()


def test_the_password_file_is_private(scaled):
    assert scaled.postgres.password_file.stat().st_mode & 0o077 == 0
