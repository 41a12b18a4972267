"""Helpers the tests share: throwaway repositories, sample incidents, in-process renders. Not tests themselves."""
