"""`sockt tiers` (docs/protocol.md §10.4) and API/transport error conventions (§10.1)."""
import json

TIERS = """TIER       SATS/SEC  USD/HOUR  SATS/HOUR  SATS/DAY
nano       0.50      $0.0100   1800       43200
micro      1.00      $0.0200   3600       86400
small      2.50      $0.0500   9000       216000
medium     5.00      $0.1000   18000      432000
large      10.00     $0.2000   36000      864000
gpu-small  25.00     $0.5000   90000      2160000
"""


def test_tiers_byte_for_byte(sockt):
    r = sockt("tiers")
    assert r.code == 0, r
    assert r.out == TIERS
    assert r.err == ""


def test_tiers_without_any_credential(sockt):
    r = sockt("tiers", env={"SOCKT_API_KEY": None})
    assert r.code == 0 and r.out == TIERS


def test_tiers_json_is_one_object(sockt):
    r = sockt("tiers", "--json")
    assert r.code == 0
    assert r.out.count("\n") == 1
    body = json.loads(r.out)
    assert [t["tier"] for t in body["tiers"]][:2] == ["nano", "micro"]


def test_unknown_sandbox_prints_raw_api_error(sockt):
    r = sockt("sandbox", "status", "00000000-0000-4000-8000-000000000000")
    assert r.code == 1
    assert r.out == ""
    assert r.err.startswith('Error: API error (404): {"code":"not_found"')
    assert r.err.endswith("}\n")
    body = json.loads(r.err[len("Error: API error (404): "):])
    assert body["request_id"].startswith("req_")


def test_bad_key_is_401(sockt):
    r = sockt("sandbox", "status", "00000000-0000-4000-8000-000000000000",
              env={"SOCKT_API_KEY": "sockt_live_00000000-0000-4000-8000-000000000000"})
    assert r.code == 1
    assert r.err.startswith('Error: API error (401): {"code":"unauthorized"'), r.err


def test_token_flag_wins_over_env(sockt):
    # A bogus --token overrides the valid key from the environment.
    r = sockt("--token", "sbx_00000000000000000000000000000000", "sandbox", "status",
              "00000000-0000-4000-8000-000000000000")
    assert r.code == 1
    assert "API error (401)" in r.err or "API error (404)" in r.err, r.err


def test_transport_error(sockt):
    r = sockt("tiers", env={"SOCKT_API_URL": "http://127.0.0.1:1"})
    assert r.code == 1
    assert r.out == ""
    assert r.err.startswith('Error: request failed: Get "http://127.0.0.1:1/v1/sandboxes/tiers": '), r.err
    assert r.err.endswith("\n") and r.err.count("\n") == 1


def test_trailing_slash_of_base_url_is_ignored(sockt, server):
    r = sockt("tiers", env={"SOCKT_API_URL": server.url + "/"})
    assert r.code == 0 and r.out == TIERS
