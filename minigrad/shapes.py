"""Shape functions beyond reshape and transpose: split, chunk, unbind, flip, roll, repeat, tile,
movedim, narrow, broadcast_to, meshgrid, new_zeros, ...; views where PyTorch gives views."""
__all__ = []
