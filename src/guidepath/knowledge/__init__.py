"""The knowledge pack: schema (pydantic models of the YAML files) and loader."""

from guidepath.knowledge.loader import load_pack
from guidepath.knowledge.schema import Pack

__all__ = ["Pack", "load_pack"]
