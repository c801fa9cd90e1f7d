package io.prefloop.common.web;

/** One offending field of a request, as listed in a problem+json body under {@code errors}. */
public record FieldProblem(String field, String message) {}
