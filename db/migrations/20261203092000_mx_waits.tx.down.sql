DROP TABLE mx_waits;
