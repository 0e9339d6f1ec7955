import re

import pytest

from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def test_the_list_pages_through_every_inquiry_keeping_the_filter(record, agent, client):
    first = [record(topic="case_status").pk for _ in range(27)]
    record(topic="other")  # filtered out
    sign_in(client, agent)

    page1 = client.get("/staff/inquiries/?topic=case_status").content.decode()
    assert "Page 1 of 2" in page1
    next_link = re.search(r'href="\?([^"]+)">Next page', page1).group(1).replace("&amp;", "&")
    assert "topic=case_status" in next_link and "page=2" in next_link
    page2 = client.get(f"/staff/inquiries/?{next_link}").content.decode()
    assert "Page 2 of 2" in page2
    listed = {int(pk) for html in (page1, page2) for pk in re.findall(r'href="/staff/inquiries/(\d+)/"', html)}
    assert listed == set(first)
