def test_health_answers_every_store_without_credentials(api):
    result = api.get("/health")
    assert result.status_code == 200
    assert set(result.json["databases"]) == {"system", "historical", "energy"}
    assert all(store["status"] == "ok" for store in result.json["databases"].values())


def test_admin_creates_and_reads_an_energy_category(admin):
    created = admin.create("/energycategories", {"name": "Electricity", "unit_of_measure": "kWh",
                                                 "kgce": 0.1229, "kgco2e": 0.8825})
    assert admin.get(f"/energycategories/{created['id']}").json == created
