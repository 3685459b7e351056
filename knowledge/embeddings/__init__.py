"""Dense embeddings, offline: where the model comes from (source, e5convert), the ONNX engine
(onnx), the LangChain adapter and its backends (model), and a disk cache (cache)."""
