"""The UCI handwritten digits: 1,797 real 8x8 images of the digits 0-9.

Source: "Optical Recognition of Handwritten Digits", E. Alpaydin and
C. Kaynak (1998), UCI Machine Learning Repository,
https://doi.org/10.24432/C50P49, licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). Each image is a 32x32
bitmap of a handwritten digit, cut into 4x4 blocks; a pixel value is the
number of ink pixels in its block, 0 to 16. The 1,797 images are the copy
bundled with scikit-learn, stored here unchanged as `digits.npz` (uint8,
compressed, about 45 KB), so neither scikit-learn nor a network is needed.
"""
import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), 'digits.npz')


def load_digits():
    """Returns `(X, y)`: X float32 (1797, 64), pixel values 0-16 as published (row-major 8x8;
    `X.reshape(-1, 8, 8)` gives the images), and y int64 digit labels (1797,).

    Dividing X by 16 puts the pixels in [0, 1], which suits a freshly
    initialised network better than raw counts.
    """
    with np.load(_PATH, allow_pickle=False) as archive:
        images, target = archive['images'], archive['target']
    return images.reshape(len(images), 64).astype(np.float32), target.astype(np.int64)
