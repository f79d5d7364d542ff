//! Photos and other blobs: content-addressed, resumable uploads and downloads.
