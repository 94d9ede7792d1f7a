"""Indexing by tensors of indices or masks: gather, scatter, index_select, index_add, take,
masked_select, ...; each rule is an op in ops/indexing.py."""
__all__ = []
