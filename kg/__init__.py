"""paperkg: knowledge graphs of ML research papers."""
