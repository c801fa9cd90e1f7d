-- One PostgreSQL server, one database per service that keeps state (each migrates its own with Flyway).
CREATE DATABASE feedback;
CREATE DATABASE trainer;
