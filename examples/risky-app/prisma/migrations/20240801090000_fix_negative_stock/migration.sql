-- Clamp negative stock counts left over from the MySQL import.
UPDATE `Product` SET `stock` = 0 WHERE `stock` < 0;
