"""generic-db-error-response names the one answer a catch gives: `NextResponse.error()` is a
network error (the client's fetch rejects), not the 200 a plain response call defaults to."""

from conftest import FIXTURES, scan_dir


def test_response_error_is_named_not_read_as_200():
    result = scan_dir(str(FIXTURES / "rules" / "generic-db-error-response"), ("generic-db-error-response",),
                      min_confidence="low")
    [finding] = [f for f in result.findings if f.path == "app/api/signup/route.ts"]
    assert "with `NextResponse.error()`" in finding.message
    assert "status 200" not in finding.message
