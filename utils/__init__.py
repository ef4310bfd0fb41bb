"""Infrastructure layers: configuration, data input, cache, memory, retries."""
