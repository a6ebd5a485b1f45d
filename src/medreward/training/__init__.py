"""Training-side helpers (tiny offline models).

They import transformers lazily, on use: ``import medreward`` never loads this package.
"""
