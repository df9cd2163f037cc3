"""The store port and its Firestore adapter."""
