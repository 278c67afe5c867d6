"""Importing image items: a zip of images, or image files with a CSV listing them."""

from apps.jobs.models import GoldAnswer
from apps.storage.selectors import read_blob
from tests.jobs.conftest import png, upload, zip_of
from tests.jobs.test_import_text import import_files


def test_zip_of_images(requester, image_draft):
    images = {"pets/a.png": png(10), "pets/b.png": png(20), "__MACOSX/pets/._a.png": b"resource fork"}

    response = import_files(requester, image_draft, upload("pets.zip", zip_of(images)))

    assert response.status_code == 200, response.data
    items = list(image_draft.items.order_by("index"))
    assert [(i.source_name, i.media_type) for i in items] == [("pets/a.png", "image/png"), ("pets/b.png", "image/png")]
    assert read_blob(items[1].content_cid) == images["pets/b.png"]


def test_zip_with_a_gold_file(requester, image_draft):
    gold = upload("gold.csv", "item,gold\npets/b.png,dog\n")

    response = import_files(
        requester, image_draft, upload("pets.zip", zip_of({"pets/a.png": png(1), "pets/b.png": png(2)})), gold_file=gold
    )

    assert response.status_code == 200, response.data
    assert dict(GoldAnswer.objects.values_list("item__source_name", "label_index")) == {"pets/b.png": 1}


def test_image_files_with_a_listing_csv(requester, image_draft):
    listing = upload("files.csv", "filename,gold\nb.png,bird\na.png,\n")

    response = import_files(requester, image_draft, upload("a.png", png(1)), upload("b.png", png(2)), listing)

    assert response.status_code == 200, response.data
    # In the listing's order, its gold column applied.
    assert list(image_draft.items.order_by("index").values_list("source_name", "is_gold")) == [
        ("b.png", True),
        ("a.png", False),
    ]
    assert dict(GoldAnswer.objects.values_list("item__source_name", "label_index")) == {"b.png": 2}
