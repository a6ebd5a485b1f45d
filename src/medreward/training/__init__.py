"""Training-side helpers: the recipe, data, tiny offline models, a GGUF loader (a real small model
from PyPI), the supervised format warm start and a callback that warns when GRPO has no signal.

They import transformers lazily, on use: ``import medreward`` never loads this package.
"""
