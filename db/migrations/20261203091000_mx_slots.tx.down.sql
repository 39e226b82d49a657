DROP TABLE mx_slots;
