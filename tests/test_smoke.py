def test_create_and_dispatch(api, city):
    from tests.conftest import APPEAL
    intake = api("intake")
    r = intake.post("/tickets", APPEAL)
    assert r.status_code == 201, r.content
    t = r.json()
    d = api("dispatcher")
    r = d.act(t, "dispatch", lead_unit="x_east")
    assert r.status_code == 200, r.content
    print(r.json())
