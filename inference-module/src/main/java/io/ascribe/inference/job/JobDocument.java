package io.ascribe.inference.job;

import io.ascribe.inference.train.Example;

/** STUB until the jobrunner branch lands. */
public record JobDocument(String id, Example example) {}
