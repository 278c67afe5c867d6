"""Feature matrices from raw item content: small images (pixels in [0, 1] and/or HOG) and text (TF-IDF).

Every function takes a whole job's items at once and returns one row per item, so the same vocabulary
and scaling apply to the labeled set, the pool and the holdout.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

import numpy as np
from PIL import Image
from scipy import sparse
from skimage.feature import hog
from sklearn.feature_extraction.text import TfidfVectorizer

# Uploads come from untrusted requesters and contributors: cap the compressed size and, before any
# pixel is decoded, the declared dimensions (a few KB of PNG can declare gigapixels).
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 4096 * 4096

# ITU-R 601 luma, the weights Pillow's convert("L") uses, so arrays and encoded files agree.
_LUMA = np.array([0.299, 0.587, 0.114])

# What Pillow raises for unknown formats, truncated or corrupt data and decompression bombs.
_DECODE_ERRORS = (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError)

ImageInput = bytes | np.ndarray
ImageFeatureKind = Literal["pixels", "hog", "pixels+hog"]


class ImageDecodeError(ValueError):
    """Raised for content that is not a decodable image within the size caps."""


def decode_image(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, max_pixels: int = MAX_IMAGE_PIXELS) -> np.ndarray:
    """Decode encoded image bytes (PNG, JPEG, ...) to a grayscale float32 array in [0, 1]."""
    if len(data) > max_bytes:
        raise ImageDecodeError(f"image is {len(data)} bytes; the cap is {max_bytes}")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > max_pixels:
                raise ImageDecodeError(f"image is {image.width}x{image.height} pixels; the cap is {max_pixels} pixels")
            gray = image.convert("L")
    except ImageDecodeError:
        raise
    except _DECODE_ERRORS as error:
        raise ImageDecodeError(f"not a decodable image: {error}") from error
    return np.asarray(gray, dtype=np.float32) / 255.0


def _array_to_gray(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        scaled = array.astype(np.float32) / 255.0
    elif np.issubdtype(array.dtype, np.floating):
        if array.size and (array.min() < 0.0 or array.max() > 1.0):
            raise ImageDecodeError("float image arrays must already be scaled to [0, 1]")
        scaled = array.astype(np.float32)
    else:
        # Any other integer range (0..16, 0..4095, ...) is ambiguous: the caller knows its scale.
        raise ImageDecodeError(f"image arrays must be uint8 or float in [0, 1], not {array.dtype}")
    if scaled.ndim == 3 and scaled.shape[2] in (3, 4):
        return (scaled[:, :, :3] @ _LUMA).astype(np.float32)
    if scaled.ndim == 2:
        return scaled
    raise ImageDecodeError(f"image arrays must be HxW or HxWx3/4, not shape {array.shape}")


def _to_gray(image: ImageInput, *, size: tuple[int, int]) -> np.ndarray:
    gray = decode_image(image) if isinstance(image, bytes) else _array_to_gray(image)
    height, width = size
    if gray.shape == (height, width):
        return gray
    resized = Image.fromarray(gray).resize((width, height), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def _hog(gray: np.ndarray) -> np.ndarray:
    # A 4x4 grid of cells whatever the size, so HOG length depends only on the orientation count.
    height, width = gray.shape
    cell = (max(height // 4, 1), max(width // 4, 1))
    return hog(gray, orientations=9, pixels_per_cell=cell, cells_per_block=(2, 2), feature_vector=True)


def image_features(
    images: Sequence[ImageInput], *, size: tuple[int, int] = (32, 32), kind: ImageFeatureKind = "pixels"
) -> np.ndarray:
    """One float32 row per image: grayscale pixels resized to `size` (height, width) and/or HOG.

    Images are encoded bytes (decoded with the size caps above) or arrays (uint8, or float in [0, 1]).
    """
    if kind not in ("pixels", "hog", "pixels+hog"):
        raise ValueError(f"unknown image feature kind {kind!r}")
    rows = []
    for image in images:
        gray = _to_gray(image, size=size)
        parts = []
        if kind in ("pixels", "pixels+hog"):
            parts.append(gray.ravel())
        if kind in ("hog", "pixels+hog"):
            parts.append(_hog(gray))
        rows.append(np.concatenate(parts))
    if not rows:
        raise ValueError("no images given")
    return np.vstack(rows).astype(np.float32)


def text_vectorizer(*, max_features: int = 50_000) -> TfidfVectorizer:
    """The learner's TF-IDF (unfitted). Fitting it on the same texts in the same order gives the same
    vocabulary and weights, which is how an exported text model gets its vectorizer back."""
    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        strip_accents="unicode",
        max_features=max_features,
        dtype=np.float32,
    )


def text_features(texts: Sequence[str], *, max_features: int = 50_000) -> sparse.csr_matrix:
    """TF-IDF rows (L2-normalised, so Euclidean k-means in the strategies behaves like cosine)."""
    return text_vectorizer(max_features=max_features).fit_transform(texts).tocsr()
