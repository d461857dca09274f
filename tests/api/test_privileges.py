def test_privileges_are_managed_as_the_seed_shows_and_guard_their_users(admin):
    created = admin.create("/privileges", {"name": "privilege 1", "data": "{\"spaces\":[1, 3]}"})
    assert created["data"] == "{\"spaces\":[1, 3]}"
    updated = admin.put(f"/privileges/{created['id']}", {"name": "privilege 2", "data": {"spaces": [2]}})
    assert updated.status_code == 200 and updated.json["data"] == "{\"spaces\": [2]}"
    user = admin.create("/users", {"name": "demo", "display_name": "Demo", "email": "demo@myems.io",
                                   "is_admin": False, "privilege_id": created["id"], "password": "!MyEMS1"})
    assert user["privilege"]["id"] == created["id"]
    refused = admin.delete(f"/privileges/{created['id']}")
    assert (refused.status_code, refused.json["description"]) == (409, "API.THERE_IS_RELATION_WITH_USERS")
    assert admin.delete(f"/users/{user['id']}").status_code == 204
    assert admin.delete(f"/privileges/{created['id']}").status_code == 204


def test_privilege_data_must_be_json(admin):
    refused = admin.post("/privileges", {"name": "p", "data": "{spaces: [1"})
    assert (refused.status_code, refused.json["description"]) == (400, "API.INVALID_DATA")
    assert admin.get("/privileges").json == []
