"""The fake embedder of the tests (it lives in ``knowledge.embeddings.fake``, beside the interface it fakes)."""

from knowledge.embeddings.fake import HashEmbeddings

__all__ = ["HashEmbeddings"]
