"""Upsample (F.interpolate as a layer), PixelShuffle and PixelUnshuffle."""
from . import functional as F
from .module import Module


class Upsample(Module):
    """Resamples to `size` or by `scale_factor` with F.interpolate ('nearest', 'linear', 'bilinear')."""

    def __init__(self, size=None, scale_factor=None, mode='nearest', align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):                   # noqa: A002 (PyTorch's argument name)
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = (f'scale_factor={self.scale_factor!r}' if self.scale_factor is not None
                else f'size={self.size!r}')
        return info + f', mode={self.mode!r}'


class PixelShuffle(Module):
    """(*, C·r², H, W) -> (*, C, H·r, W·r): channels become an r × r block of pixels."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):                   # noqa: A002
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f'upscale_factor={self.upscale_factor}'


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) -> (*, C·r², H, W): PixelShuffle's inverse."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):                   # noqa: A002
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f'downscale_factor={self.downscale_factor}'
