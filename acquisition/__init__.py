"""Acquisition workers: Modbus TCP, BACnet/IP, MQTT and simulation drivers writing the historical store."""
