"""Random sampling from tensors of probabilities or rates: multinomial, bernoulli, poisson,
and the in-place draws `Tensor.exponential_`, `geometric_`. All take `generator=`."""
__all__ = []
