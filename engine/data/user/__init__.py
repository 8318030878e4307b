"""The learner's own files: CSV tables and image folders, read and checked without Qt."""
