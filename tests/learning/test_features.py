import io

import numpy as np
import pytest
from PIL import Image

from apps.learning.features import ImageDecodeError, decode_image, image_features, text_features


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, size=(20, 24, 3), dtype=np.uint8) for _ in range(3)]


def test_pixel_features_are_scaled_to_unit_range_with_one_row_per_image(images):
    features = image_features(images, size=(16, 16))
    assert features.shape == (3, 256)
    assert features.dtype == np.float32
    assert 0.0 <= features.min() and features.max() <= 1.0


@pytest.mark.parametrize(("kind", "width"), [("hog", 324), ("pixels+hog", 256 + 324)])
def test_hog_features_have_a_fixed_length(images, kind, width):
    assert image_features(images, size=(16, 16), kind=kind).shape == (3, width)


def test_features_are_deterministic_and_bytes_match_arrays(images):
    from_arrays = image_features(images, size=(16, 16), kind="pixels+hog")
    from_bytes = image_features([png_bytes(image) for image in images], size=(16, 16), kind="pixels+hog")
    assert np.array_equal(from_arrays, image_features(images, size=(16, 16), kind="pixels+hog"))
    # Pillow's integer luma rounding differs from float luma by at most one grey level.
    assert np.allclose(from_arrays[:, :256], from_bytes[:, :256], atol=1.5 / 255)


def test_images_already_at_the_target_size_keep_their_exact_pixels():
    image = np.linspace(0.0, 1.0, 64).reshape(8, 8)
    assert np.allclose(image_features([image], size=(8, 8))[0], image.ravel())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a decodable image"),
        (b"definitely not an image", "not a decodable image"),
        (png_bytes(np.zeros((8, 8), dtype=np.uint8))[:40], "not a decodable image"),
    ],
)
def test_bad_image_bytes_are_rejected_with_a_clear_error(data, message):
    with pytest.raises(ImageDecodeError, match=message):
        image_features([data])


def test_images_over_the_caps_are_rejected_before_decoding():
    data = png_bytes(np.zeros((64, 64), dtype=np.uint8))
    with pytest.raises(ImageDecodeError, match="64x64 pixels; the cap is 1000"):
        decode_image(data, max_pixels=1000)
    with pytest.raises(ImageDecodeError, match="bytes; the cap is 10"):
        decode_image(data, max_bytes=10)


@pytest.mark.parametrize(
    "array", [np.full((4, 4), 16, dtype=np.int64), np.full((4, 4), 2.0), np.zeros((4, 4, 2), dtype=np.uint8)]
)
def test_arrays_of_ambiguous_scale_or_shape_are_rejected(array):
    with pytest.raises(ImageDecodeError):
        image_features([array])


def test_text_features_are_l2_normalised_tfidf_rows():
    texts = ["the cat sat on the mat", "a dog chased the cat", "stock prices fell sharply"]
    features = text_features(texts)
    assert features.shape[0] == 3
    assert np.allclose(np.sqrt(features.multiply(features).sum(axis=1)), 1.0)
    assert (features != text_features(texts)).nnz == 0
