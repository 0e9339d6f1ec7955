import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/agencies/%00/", "/api/v1/contact-channels/%00/", "/api/v1/offices/C%00HI/"])
def test_api_paths_with_a_nul_character_are_404(directory, client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json() == {"detail": "There is no page at this address."}


@pytest.mark.parametrize("query", ["zip=6060%00", "x%00=1", "zip=60605&country=C%00"])
def test_api_queries_with_a_nul_character_are_400(directory, client, query):
    response = client.get(f"/api/v1/jurisdiction/?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": "The address contains a character that is not allowed."}


def test_pages_with_a_nul_character_are_404_and_400_pages(directory, client):
    missing = client.get("/offices/C%00/")
    assert missing.status_code == 404 and "There is no page at this address." in missing.content.decode()
    refused = client.get("/offices/?q=%00")
    assert refused.status_code == 400 and "not allowed" in refused.content.decode()
    assert client.get("/offices/CHI/").status_code == 200
