"""One encoder per task type: an item's raw content -> the integer input an on-chain model takes.
The server, the tests and the model page (which posts raw content to the predict endpoint) all go
through these functions, so a prediction never depends on who encoded the item.

Images: the learner's own features (pixels + HOG of a 32x32 grey image, apps.learning.features),
each in fixed point (x * 1e6). A job's published model therefore sees exactly what its learner saw.

Text: sparse hashed features. The learner's TF-IDF vocabulary is fitted per job and cannot live on
chain, so a token (the learner's analyzer: accent stripping, lower case, word unigrams and bigrams)
maps to keccak256(token) mod num_features; the input is the sorted list of those indexes, repeated
as often as the token occurs (a count vector, as multinomial naive Bayes wants)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from web3 import Web3

from apps.chain.onchain_models import quantise
from apps.learning.features import image_features, text_vectorizer

# What apps.learning.selectors computes for an image job's learner.
IMAGE_FEATURE_KIND = "pixels+hog"
IMAGE_NUM_FEATURES = 32 * 32 + 324  # pixels + a 4x4-cell HOG with 9 orientations, 2x2 blocks
TEXT_NUM_FEATURES = 1024


class EncodingError(ValueError):
    """The content cannot be encoded for this model."""


def encode_images(images: Sequence[bytes]) -> list[list[int]]:
    """Fixed-point learner features, one row per image (encoded bytes)."""
    return [quantise(row) for row in image_features(list(images), kind=IMAGE_FEATURE_KIND)]


@lru_cache(maxsize=1)
def _analyzer() -> Callable[[str], list[str]]:
    return text_vectorizer().build_analyzer()


def encode_text(text: str, *, num_features: int = TEXT_NUM_FEATURES) -> list[int]:
    """Sorted hashed token indexes (with repeats) of `text`."""
    tokens = _analyzer()(text)
    if not tokens:
        raise EncodingError("the text has no word of two or more letters to encode")
    return sorted(int.from_bytes(Web3.keccak(text=token), "big") % num_features for token in tokens)


def encode_content(*, encoder: str, content: bytes, num_features: int) -> list[int]:
    """Encode one item for a model whose encoder is `encoder` ("image" or "text")."""
    if encoder == "image":
        try:
            (row,) = encode_images([content])
        except ValueError as error:
            raise EncodingError(str(error)) from error
        return row
    if encoder == "text":
        try:
            return encode_text(content.decode("utf-8"), num_features=num_features)
        except UnicodeDecodeError as error:
            raise EncodingError("text must be UTF-8") from error
    raise EncodingError(f"unknown encoder {encoder!r}")
