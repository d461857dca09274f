-- Generated from myems_api/db/schema.py by `myems db ddl`; do not edit by hand.

CREATE TABLE tbl_api_keys (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	created_datetime_utc DATETIME NOT NULL, 
	expires_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid), 
	UNIQUE (token_hash)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_combined_equipments (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	is_input_counted BOOL NOT NULL, 
	is_output_counted BOOL NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	svg MEDIUMTEXT, 
	camera_url VARCHAR(1024), 
	description TEXT, 
	efficiency_indicator NUMERIC(21, 6), 
	svg_diagram_id BIGINT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_cost_center_id ON tbl_combined_equipments (cost_center_id);

CREATE INDEX ix_tbl_combined_equipments_svg_diagram_id ON tbl_combined_equipments (svg_diagram_id);

CREATE TABLE tbl_combined_equipments_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	combined_equipment_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (combined_equipment_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_commands_combined_equipment_id ON tbl_combined_equipments_commands (combined_equipment_id);

CREATE INDEX ix_tbl_combined_equipments_commands_command_id ON tbl_combined_equipments_commands (command_id);

CREATE TABLE tbl_combined_equipments_data_sources (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	combined_equipment_id BIGINT NOT NULL, 
	data_source_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (combined_equipment_id, data_source_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_data_sources_combined_equipment_id ON tbl_combined_equipments_data_sources (combined_equipment_id);

CREATE INDEX ix_tbl_combined_equipments_data_sources_data_source_id ON tbl_combined_equipments_data_sources (data_source_id);

CREATE TABLE tbl_combined_equipments_equipments (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	combined_equipment_id BIGINT NOT NULL, 
	equipment_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (combined_equipment_id, equipment_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_equipments_combined_equipment_id ON tbl_combined_equipments_equipments (combined_equipment_id);

CREATE INDEX ix_tbl_combined_equipments_equipments_equipment_id ON tbl_combined_equipments_equipments (equipment_id);

CREATE TABLE tbl_combined_equipments_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	combined_equipment_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	is_output BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (combined_equipment_id, meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_meters_combined_equipment_id ON tbl_combined_equipments_meters (combined_equipment_id);

CREATE INDEX ix_tbl_combined_equipments_meters_meter_id ON tbl_combined_equipments_meters (meter_id);

CREATE TABLE tbl_combined_equipments_offline_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	combined_equipment_id BIGINT NOT NULL, 
	offline_meter_id BIGINT NOT NULL, 
	is_output BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (combined_equipment_id, offline_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_offline_meters_combined_equipment_id ON tbl_combined_equipments_offline_meters (combined_equipment_id);

CREATE INDEX ix_tbl_combined_equipments_offline_meters_offline_meter_id ON tbl_combined_equipments_offline_meters (offline_meter_id);

CREATE TABLE tbl_combined_equipments_parameters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	combined_equipment_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	parameter_type VARCHAR(16) NOT NULL, 
	constant VARCHAR(255), 
	point_id BIGINT, 
	numerator_meter_uuid VARCHAR(36), 
	denominator_meter_uuid VARCHAR(36), 
	PRIMARY KEY (id), 
	UNIQUE (combined_equipment_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_parameters_combined_equipment_id ON tbl_combined_equipments_parameters (combined_equipment_id);

CREATE INDEX ix_tbl_combined_equipments_parameters_point_id ON tbl_combined_equipments_parameters (point_id);

CREATE TABLE tbl_combined_equipments_virtual_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	combined_equipment_id BIGINT NOT NULL, 
	virtual_meter_id BIGINT NOT NULL, 
	is_output BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (combined_equipment_id, virtual_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_combined_equipments_virtual_meters_combined_equipment_id ON tbl_combined_equipments_virtual_meters (combined_equipment_id);

CREATE INDEX ix_tbl_combined_equipments_virtual_meters_virtual_meter_id ON tbl_combined_equipments_virtual_meters (virtual_meter_id);

CREATE TABLE tbl_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	topic VARCHAR(255) NOT NULL, 
	payload TEXT NOT NULL, 
	set_value NUMERIC(21, 6), 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_contacts (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	email VARCHAR(255) NOT NULL, 
	phone VARCHAR(64) NOT NULL, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_control_modes (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	is_active BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_control_modes_times (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	control_mode_id BIGINT NOT NULL, 
	start_time_of_day VARCHAR(8) NOT NULL, 
	end_time_of_day VARCHAR(8) NOT NULL, 
	power_value NUMERIC(21, 6), 
	power_point_id BIGINT, 
	power_equation TEXT, 
	description VARCHAR(255), 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_control_modes_times_control_mode_id ON tbl_control_modes_times (control_mode_id);

CREATE INDEX ix_tbl_control_modes_times_power_point_id ON tbl_control_modes_times (power_point_id);

CREATE TABLE tbl_cost_centers (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	external_id VARCHAR(64), 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_cost_centers_tariffs (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	cost_center_id BIGINT NOT NULL, 
	tariff_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (cost_center_id, tariff_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_cost_centers_tariffs_cost_center_id ON tbl_cost_centers_tariffs (cost_center_id);

CREATE INDEX ix_tbl_cost_centers_tariffs_tariff_id ON tbl_cost_centers_tariffs (tariff_id);

CREATE TABLE tbl_data_source_status (
	data_source_id BIGINT NOT NULL, 
	`reads` BIGINT NOT NULL, 
	errors BIGINT NOT NULL, 
	last_latency_ms FLOAT NOT NULL, 
	last_error VARCHAR(255), 
	updated_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (data_source_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_data_sources (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	gateway_id BIGINT NOT NULL, 
	protocol VARCHAR(64) NOT NULL, 
	connection TEXT NOT NULL, 
	last_seen_datetime_utc DATETIME, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_data_sources_gateway_id ON tbl_data_sources (gateway_id);

CREATE INDEX ix_tbl_data_sources_protocol ON tbl_data_sources (protocol);

CREATE TABLE tbl_distribution_circuits (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	distribution_system_id BIGINT NOT NULL, 
	distribution_room VARCHAR(255) NOT NULL, 
	switchgear VARCHAR(255) NOT NULL, 
	peak_load NUMERIC(21, 6) NOT NULL, 
	peak_current NUMERIC(21, 6) NOT NULL, 
	customers VARCHAR(255), 
	meters VARCHAR(255), 
	PRIMARY KEY (id), 
	UNIQUE (distribution_system_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_distribution_circuits_distribution_system_id ON tbl_distribution_circuits (distribution_system_id);

CREATE TABLE tbl_distribution_circuits_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	distribution_circuit_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (distribution_circuit_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_distribution_circuits_points_distribution_circuit_id ON tbl_distribution_circuits_points (distribution_circuit_id);

CREATE INDEX ix_tbl_distribution_circuits_points_point_id ON tbl_distribution_circuits_points (point_id);

CREATE TABLE tbl_distribution_systems (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	svg MEDIUMTEXT, 
	description TEXT, 
	svg_diagram_id BIGINT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_distribution_systems_svg_diagram_id ON tbl_distribution_systems (svg_diagram_id);

CREATE TABLE tbl_email_message_sessions (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	recipient_email VARCHAR(255) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	created_datetime_utc DATETIME NOT NULL, 
	expires_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (token_hash)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_email_message_sessions_recipient_email ON tbl_email_message_sessions (recipient_email);

CREATE TABLE tbl_email_messages (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	rule_id BIGINT, 
	recipient_name VARCHAR(255), 
	recipient_email VARCHAR(255) NOT NULL, 
	subject VARCHAR(255) NOT NULL, 
	message MEDIUMTEXT NOT NULL, 
	attachment_file_name VARCHAR(255), 
	attachment_file_object LONGBLOB, 
	created_datetime_utc DATETIME NOT NULL, 
	scheduled_datetime_utc DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error VARCHAR(1024), 
	sent_datetime_utc DATETIME, 
	next_attempt_datetime_utc DATETIME, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_email_messages_created_datetime_utc ON tbl_email_messages (created_datetime_utc);

CREATE INDEX ix_tbl_email_messages_status_scheduled ON tbl_email_messages (status, scheduled_datetime_utc);

CREATE TABLE tbl_email_servers (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	host VARCHAR(255) NOT NULL, 
	port INTEGER NOT NULL, 
	requires_authentication BOOL NOT NULL, 
	user_name VARCHAR(255), 
	password VARCHAR(255), 
	from_addr VARCHAR(255) NOT NULL, 
	security VARCHAR(16) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_energy_categories (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	unit_of_measure VARCHAR(32) NOT NULL, 
	kgce NUMERIC(21, 6) NOT NULL, 
	kgco2e NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_energy_flow_diagrams (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_energy_flow_diagrams_links (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_flow_diagram_id BIGINT NOT NULL, 
	source_node_id BIGINT NOT NULL, 
	target_node_id BIGINT NOT NULL, 
	meter_uuid VARCHAR(36), 
	PRIMARY KEY (id), 
	UNIQUE (energy_flow_diagram_id, source_node_id, target_node_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_flow_diagrams_links_energy_flow_diagram_id ON tbl_energy_flow_diagrams_links (energy_flow_diagram_id);

CREATE INDEX ix_tbl_energy_flow_diagrams_links_source_node_id ON tbl_energy_flow_diagrams_links (source_node_id);

CREATE INDEX ix_tbl_energy_flow_diagrams_links_target_node_id ON tbl_energy_flow_diagrams_links (target_node_id);

CREATE TABLE tbl_energy_flow_diagrams_nodes (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_flow_diagram_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_flow_diagram_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_flow_diagrams_nodes_energy_flow_diagram_id ON tbl_energy_flow_diagrams_nodes (energy_flow_diagram_id);

CREATE TABLE tbl_energy_items (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_items_energy_category_id ON tbl_energy_items (energy_category_id);

CREATE TABLE tbl_energy_storage_containers (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	rated_capacity NUMERIC(21, 6) NOT NULL, 
	rated_power NUMERIC(21, 6) NOT NULL, 
	contact_id BIGINT NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	svg_diagram_id BIGINT, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_contact_id ON tbl_energy_storage_containers (contact_id);

CREATE INDEX ix_tbl_energy_storage_containers_cost_center_id ON tbl_energy_storage_containers (cost_center_id);

CREATE INDEX ix_tbl_energy_storage_containers_svg_diagram_id ON tbl_energy_storage_containers (svg_diagram_id);

CREATE TABLE tbl_energy_storage_containers_batteries (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	battery_state_point_id BIGINT NOT NULL, 
	soc_point_id BIGINT NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	charge_meter_id BIGINT NOT NULL, 
	discharge_meter_id BIGINT NOT NULL, 
	rated_capacity NUMERIC(21, 6) NOT NULL, 
	rated_power NUMERIC(21, 6) NOT NULL, 
	nominal_voltage NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_batteries_battery_state_db9e ON tbl_energy_storage_containers_batteries (battery_state_point_id);

CREATE INDEX ix_tbl_energy_storage_containers_batteries_charge_meter_id ON tbl_energy_storage_containers_batteries (charge_meter_id);

CREATE INDEX ix_tbl_energy_storage_containers_batteries_discharge_meter_id ON tbl_energy_storage_containers_batteries (discharge_meter_id);

CREATE INDEX ix_tbl_energy_storage_containers_batteries_energy_storag_34bf ON tbl_energy_storage_containers_batteries (energy_storage_container_id);

CREATE INDEX ix_tbl_energy_storage_containers_batteries_power_point_id ON tbl_energy_storage_containers_batteries (power_point_id);

CREATE INDEX ix_tbl_energy_storage_containers_batteries_soc_point_id ON tbl_energy_storage_containers_batteries (soc_point_id);

CREATE TABLE tbl_energy_storage_containers_bmses_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	bms_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (bms_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_bmses_points_bms_id ON tbl_energy_storage_containers_bmses_points (bms_id);

CREATE INDEX ix_tbl_energy_storage_containers_bmses_points_point_id ON tbl_energy_storage_containers_bmses_points (point_id);

CREATE TABLE tbl_energy_storage_containers_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_commands_command_id ON tbl_energy_storage_containers_commands (command_id);

CREATE INDEX ix_tbl_energy_storage_containers_commands_energy_storage_50ce ON tbl_energy_storage_containers_commands (energy_storage_container_id);

CREATE TABLE tbl_energy_storage_containers_data_sources (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	data_source_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, data_source_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_data_sources_data_source_id ON tbl_energy_storage_containers_data_sources (data_source_id);

CREATE INDEX ix_tbl_energy_storage_containers_data_sources_energy_sto_46cf ON tbl_energy_storage_containers_data_sources (energy_storage_container_id);

CREATE TABLE tbl_energy_storage_containers_dcdcs (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_dcdcs_energy_storage_co_24fa ON tbl_energy_storage_containers_dcdcs (energy_storage_container_id);

CREATE TABLE tbl_energy_storage_containers_dcdcs_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	dcdc_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (dcdc_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_dcdcs_points_dcdc_id ON tbl_energy_storage_containers_dcdcs_points (dcdc_id);

CREATE INDEX ix_tbl_energy_storage_containers_dcdcs_points_point_id ON tbl_energy_storage_containers_dcdcs_points (point_id);

CREATE TABLE tbl_energy_storage_containers_firecontrols (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_firecontrols_energy_sto_edf3 ON tbl_energy_storage_containers_firecontrols (energy_storage_container_id);

CREATE TABLE tbl_energy_storage_containers_firecontrols_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	firecontrol_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (firecontrol_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_firecontrols_points_fir_634c ON tbl_energy_storage_containers_firecontrols_points (firecontrol_id);

CREATE INDEX ix_tbl_energy_storage_containers_firecontrols_points_point_id ON tbl_energy_storage_containers_firecontrols_points (point_id);

CREATE TABLE tbl_energy_storage_containers_grids (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	buy_meter_id BIGINT NOT NULL, 
	sell_meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_grids_buy_meter_id ON tbl_energy_storage_containers_grids (buy_meter_id);

CREATE INDEX ix_tbl_energy_storage_containers_grids_energy_storage_co_8b4a ON tbl_energy_storage_containers_grids (energy_storage_container_id);

CREATE INDEX ix_tbl_energy_storage_containers_grids_power_point_id ON tbl_energy_storage_containers_grids (power_point_id);

CREATE INDEX ix_tbl_energy_storage_containers_grids_sell_meter_id ON tbl_energy_storage_containers_grids (sell_meter_id);

CREATE TABLE tbl_energy_storage_containers_grids_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	grid_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (grid_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_grids_points_grid_id ON tbl_energy_storage_containers_grids_points (grid_id);

CREATE INDEX ix_tbl_energy_storage_containers_grids_points_point_id ON tbl_energy_storage_containers_grids_points (point_id);

CREATE TABLE tbl_energy_storage_containers_hvacs (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_hvacs_energy_storage_co_895f ON tbl_energy_storage_containers_hvacs (energy_storage_container_id);

CREATE TABLE tbl_energy_storage_containers_hvacs_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	hvac_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (hvac_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_hvacs_points_hvac_id ON tbl_energy_storage_containers_hvacs_points (hvac_id);

CREATE INDEX ix_tbl_energy_storage_containers_hvacs_points_point_id ON tbl_energy_storage_containers_hvacs_points (point_id);

CREATE TABLE tbl_energy_storage_containers_loads (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	rated_input_power NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_loads_energy_storage_co_a410 ON tbl_energy_storage_containers_loads (energy_storage_container_id);

CREATE INDEX ix_tbl_energy_storage_containers_loads_meter_id ON tbl_energy_storage_containers_loads (meter_id);

CREATE INDEX ix_tbl_energy_storage_containers_loads_power_point_id ON tbl_energy_storage_containers_loads (power_point_id);

CREATE TABLE tbl_energy_storage_containers_loads_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	load_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (load_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_loads_points_load_id ON tbl_energy_storage_containers_loads_points (load_id);

CREATE INDEX ix_tbl_energy_storage_containers_loads_points_point_id ON tbl_energy_storage_containers_loads_points (point_id);

CREATE TABLE tbl_energy_storage_containers_pcses_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	pcs_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (pcs_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_pcses_points_pcs_id ON tbl_energy_storage_containers_pcses_points (pcs_id);

CREATE INDEX ix_tbl_energy_storage_containers_pcses_points_point_id ON tbl_energy_storage_containers_pcses_points (point_id);

CREATE TABLE tbl_energy_storage_containers_power_conversion_systems (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	run_state_point_id BIGINT NOT NULL, 
	rated_output_power NUMERIC(21, 6) NOT NULL, 
	today_charge_energy_point_id BIGINT NOT NULL, 
	today_discharge_energy_point_id BIGINT NOT NULL, 
	total_charge_energy_point_id BIGINT NOT NULL, 
	total_discharge_energy_point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_power_conversion_system_d271 ON tbl_energy_storage_containers_power_conversion_systems (energy_storage_container_id);

CREATE INDEX ix_tbl_energy_storage_containers_power_conversion_system_fbcb ON tbl_energy_storage_containers_power_conversion_systems (run_state_point_id);

CREATE INDEX ix_tbl_energy_storage_containers_power_conversion_system_bb43 ON tbl_energy_storage_containers_power_conversion_systems (today_charge_energy_point_id);

CREATE INDEX ix_tbl_energy_storage_containers_power_conversion_system_5f59 ON tbl_energy_storage_containers_power_conversion_systems (today_discharge_energy_point_id);

CREATE INDEX ix_tbl_energy_storage_containers_power_conversion_system_130a ON tbl_energy_storage_containers_power_conversion_systems (total_charge_energy_point_id);

CREATE INDEX ix_tbl_energy_storage_containers_power_conversion_system_1f6c ON tbl_energy_storage_containers_power_conversion_systems (total_discharge_energy_point_id);

CREATE TABLE tbl_energy_storage_containers_schedules (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	start_time_of_day VARCHAR(8) NOT NULL, 
	end_time_of_day VARCHAR(8) NOT NULL, 
	peak_type VARCHAR(16) NOT NULL, 
	power NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_schedules_energy_storag_1fa0 ON tbl_energy_storage_containers_schedules (energy_storage_container_id);

CREATE TABLE tbl_energy_storage_containers_sensors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	sensor_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, sensor_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_sensors_energy_storage__b394 ON tbl_energy_storage_containers_sensors (energy_storage_container_id);

CREATE INDEX ix_tbl_energy_storage_containers_sensors_sensor_id ON tbl_energy_storage_containers_sensors (sensor_id);

CREATE TABLE tbl_energy_storage_containers_stses (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_container_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_container_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_stses_energy_storage_co_1691 ON tbl_energy_storage_containers_stses (energy_storage_container_id);

CREATE TABLE tbl_energy_storage_containers_stses_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	sts_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (sts_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_containers_stses_points_point_id ON tbl_energy_storage_containers_stses_points (point_id);

CREATE INDEX ix_tbl_energy_storage_containers_stses_points_sts_id ON tbl_energy_storage_containers_stses_points (sts_id);

CREATE TABLE tbl_energy_storage_power_stations (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	address VARCHAR(255) NOT NULL, 
	postal_code VARCHAR(32), 
	latitude NUMERIC(21, 6) NOT NULL, 
	longitude NUMERIC(21, 6) NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	contact_id BIGINT NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	svg MEDIUMTEXT, 
	svg_diagram_id BIGINT, 
	description TEXT, 
	rated_capacity NUMERIC(21, 6), 
	rated_power NUMERIC(21, 6), 
	latitude_point_id BIGINT, 
	longitude_point_id BIGINT, 
	svg2_id BIGINT, 
	svg3_id BIGINT, 
	svg4_id BIGINT, 
	svg5_id BIGINT, 
	is_cost_data_displayed BOOL, 
	phase_of_lifecycle VARCHAR(255), 
	commissioning_date VARCHAR(10), 
	station_code VARCHAR(255), 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_power_stations_contact_id ON tbl_energy_storage_power_stations (contact_id);

CREATE INDEX ix_tbl_energy_storage_power_stations_cost_center_id ON tbl_energy_storage_power_stations (cost_center_id);

CREATE INDEX ix_tbl_energy_storage_power_stations_svg_diagram_id ON tbl_energy_storage_power_stations (svg_diagram_id);

CREATE TABLE tbl_energy_storage_power_stations_containers (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_power_station_id BIGINT NOT NULL, 
	energy_storage_container_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_power_station_id, energy_storage_container_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_power_stations_containers_energy_s_e5f4 ON tbl_energy_storage_power_stations_containers (energy_storage_container_id);

CREATE INDEX ix_tbl_energy_storage_power_stations_containers_energy_s_ecf1 ON tbl_energy_storage_power_stations_containers (energy_storage_power_station_id);

CREATE TABLE tbl_energy_storage_power_stations_users (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	energy_storage_power_station_id BIGINT NOT NULL, 
	user_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (energy_storage_power_station_id, user_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_storage_power_stations_users_energy_storag_5a67 ON tbl_energy_storage_power_stations_users (energy_storage_power_station_id);

CREATE INDEX ix_tbl_energy_storage_power_stations_users_user_id ON tbl_energy_storage_power_stations_users (user_id);

CREATE TABLE tbl_equipments (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	is_input_counted BOOL NOT NULL, 
	is_output_counted BOOL NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	svg MEDIUMTEXT, 
	camera_url VARCHAR(1024), 
	description TEXT, 
	efficiency_indicator NUMERIC(21, 6), 
	svg_diagram_id BIGINT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_equipments_cost_center_id ON tbl_equipments (cost_center_id);

CREATE INDEX ix_tbl_equipments_svg_diagram_id ON tbl_equipments (svg_diagram_id);

CREATE TABLE tbl_equipments_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	equipment_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (equipment_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_equipments_commands_command_id ON tbl_equipments_commands (command_id);

CREATE INDEX ix_tbl_equipments_commands_equipment_id ON tbl_equipments_commands (equipment_id);

CREATE TABLE tbl_equipments_data_sources (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	equipment_id BIGINT NOT NULL, 
	data_source_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (equipment_id, data_source_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_equipments_data_sources_data_source_id ON tbl_equipments_data_sources (data_source_id);

CREATE INDEX ix_tbl_equipments_data_sources_equipment_id ON tbl_equipments_data_sources (equipment_id);

CREATE TABLE tbl_equipments_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	equipment_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	is_output BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (equipment_id, meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_equipments_meters_equipment_id ON tbl_equipments_meters (equipment_id);

CREATE INDEX ix_tbl_equipments_meters_meter_id ON tbl_equipments_meters (meter_id);

CREATE TABLE tbl_equipments_offline_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	equipment_id BIGINT NOT NULL, 
	offline_meter_id BIGINT NOT NULL, 
	is_output BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (equipment_id, offline_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_equipments_offline_meters_equipment_id ON tbl_equipments_offline_meters (equipment_id);

CREATE INDEX ix_tbl_equipments_offline_meters_offline_meter_id ON tbl_equipments_offline_meters (offline_meter_id);

CREATE TABLE tbl_equipments_parameters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	equipment_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	parameter_type VARCHAR(16) NOT NULL, 
	constant VARCHAR(255), 
	point_id BIGINT, 
	numerator_meter_uuid VARCHAR(36), 
	denominator_meter_uuid VARCHAR(36), 
	PRIMARY KEY (id), 
	UNIQUE (equipment_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_equipments_parameters_equipment_id ON tbl_equipments_parameters (equipment_id);

CREATE INDEX ix_tbl_equipments_parameters_point_id ON tbl_equipments_parameters (point_id);

CREATE TABLE tbl_equipments_virtual_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	equipment_id BIGINT NOT NULL, 
	virtual_meter_id BIGINT NOT NULL, 
	is_output BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (equipment_id, virtual_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_equipments_virtual_meters_equipment_id ON tbl_equipments_virtual_meters (equipment_id);

CREATE INDEX ix_tbl_equipments_virtual_meters_virtual_meter_id ON tbl_equipments_virtual_meters (virtual_meter_id);

CREATE TABLE tbl_fdd_faults (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	rule_id BIGINT NOT NULL, 
	object_key VARCHAR(64) NOT NULL, 
	subject VARCHAR(255) NOT NULL, 
	message MEDIUMTEXT NOT NULL, 
	value FLOAT, 
	raised_datetime_utc DATETIME NOT NULL, 
	cleared_datetime_utc DATETIME, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_fdd_faults_raised ON tbl_fdd_faults (raised_datetime_utc);

CREATE INDEX ix_tbl_fdd_faults_rule_object ON tbl_fdd_faults (rule_id, object_key, cleared_datetime_utc);

CREATE TABLE tbl_files (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	uuid VARCHAR(36) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	file_name VARCHAR(255) NOT NULL, 
	media_type VARCHAR(128) NOT NULL, 
	size BIGINT NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	upload_datetime_utc DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	error TEXT, 
	user_id BIGINT, 
	offline_meter_id BIGINT, 
	file_object MEDIUMBLOB NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_files_kind ON tbl_files (kind);

CREATE INDEX ix_tbl_files_offline_meter_id ON tbl_files (offline_meter_id);

CREATE INDEX ix_tbl_files_status ON tbl_files (status);

CREATE INDEX ix_tbl_files_user_id ON tbl_files (user_id);

CREATE TABLE tbl_gateways (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	token VARCHAR(128) NOT NULL, 
	last_seen_datetime_utc DATETIME, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid), 
	UNIQUE (token)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_import_checkpoints (
	source_table VARCHAR(128) NOT NULL, 
	last_id BIGINT NOT NULL, 
	rows_read BIGINT NOT NULL, 
	rows_written BIGINT NOT NULL, 
	rows_skipped BIGINT NOT NULL, 
	skipped_total FLOAT(53) NOT NULL, 
	updated_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (source_table)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_iot_sim_cards (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	iccid VARCHAR(255) NOT NULL, 
	imsi VARCHAR(255), 
	operator VARCHAR(255), 
	status VARCHAR(255), 
	active_time VARCHAR(255), 
	open_time VARCHAR(255), 
	expiration_time VARCHAR(255), 
	used_traffic NUMERIC(21, 6), 
	total_traffic NUMERIC(21, 6), 
	description VARCHAR(255), 
	PRIMARY KEY (id), 
	UNIQUE (iccid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_logs (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	user_uuid VARCHAR(36), 
	api_key_id BIGINT, 
	request_datetime_utc DATETIME NOT NULL, 
	request_method VARCHAR(8) NOT NULL, 
	resource_type VARCHAR(255) NOT NULL, 
	resource_id BIGINT, 
	request_body TEXT, 
	path VARCHAR(1024) NOT NULL, 
	remote_address VARCHAR(64), 
	status INTEGER, 
	outcome VARCHAR(128) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_logs_api_key_id ON tbl_logs (api_key_id);

CREATE INDEX ix_tbl_logs_request_datetime_utc ON tbl_logs (request_datetime_utc);

CREATE INDEX ix_tbl_logs_user_uuid ON tbl_logs (user_uuid);

CREATE TABLE tbl_menus (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	route VARCHAR(255) NOT NULL, 
	parent_menu_id BIGINT, 
	is_hidden BOOL NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (route)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_menus_parent_menu_id ON tbl_menus (parent_menu_id);

CREATE TABLE tbl_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	is_counted BOOL NOT NULL, 
	hourly_low_limit NUMERIC(21, 6) NOT NULL, 
	hourly_high_limit NUMERIC(21, 6) NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	energy_item_id BIGINT, 
	description TEXT, 
	master_meter_id BIGINT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_meters_cost_center_id ON tbl_meters (cost_center_id);

CREATE INDEX ix_tbl_meters_energy_category_id ON tbl_meters (energy_category_id);

CREATE INDEX ix_tbl_meters_energy_item_id ON tbl_meters (energy_item_id);

CREATE INDEX ix_tbl_meters_master_meter_id ON tbl_meters (master_meter_id);

CREATE TABLE tbl_meters_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	meter_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (meter_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_meters_commands_command_id ON tbl_meters_commands (command_id);

CREATE INDEX ix_tbl_meters_commands_meter_id ON tbl_meters_commands (meter_id);

CREATE TABLE tbl_meters_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	meter_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (meter_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_meters_points_meter_id ON tbl_meters_points (meter_id);

CREATE INDEX ix_tbl_meters_points_point_id ON tbl_meters_points (point_id);

CREATE TABLE tbl_microgrids (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	address VARCHAR(255) NOT NULL, 
	postal_code VARCHAR(64) NOT NULL, 
	latitude NUMERIC(21, 6) NOT NULL, 
	longitude NUMERIC(21, 6) NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	rated_power NUMERIC(21, 6), 
	architecture_type_id INTEGER, 
	owner_type_id INTEGER, 
	contact_id BIGINT NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	svg MEDIUMTEXT, 
	svg_diagram_id BIGINT, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_contact_id ON tbl_microgrids (contact_id);

CREATE INDEX ix_tbl_microgrids_cost_center_id ON tbl_microgrids (cost_center_id);

CREATE INDEX ix_tbl_microgrids_svg_diagram_id ON tbl_microgrids (svg_diagram_id);

CREATE TABLE tbl_microgrids_batteries (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	battery_state_point_id BIGINT NOT NULL, 
	soc_point_id BIGINT NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	charge_meter_id BIGINT NOT NULL, 
	discharge_meter_id BIGINT NOT NULL, 
	rated_power NUMERIC(21, 6), 
	nominal_voltage NUMERIC(21, 6), 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_batteries_battery_state_point_id ON tbl_microgrids_batteries (battery_state_point_id);

CREATE INDEX ix_tbl_microgrids_batteries_charge_meter_id ON tbl_microgrids_batteries (charge_meter_id);

CREATE INDEX ix_tbl_microgrids_batteries_discharge_meter_id ON tbl_microgrids_batteries (discharge_meter_id);

CREATE INDEX ix_tbl_microgrids_batteries_microgrid_id ON tbl_microgrids_batteries (microgrid_id);

CREATE INDEX ix_tbl_microgrids_batteries_power_point_id ON tbl_microgrids_batteries (power_point_id);

CREATE INDEX ix_tbl_microgrids_batteries_soc_point_id ON tbl_microgrids_batteries (soc_point_id);

CREATE TABLE tbl_microgrids_bmses_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	bms_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (bms_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_bmses_points_bms_id ON tbl_microgrids_bmses_points (bms_id);

CREATE INDEX ix_tbl_microgrids_bmses_points_point_id ON tbl_microgrids_bmses_points (point_id);

CREATE TABLE tbl_microgrids_data_sources (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	microgrid_id BIGINT NOT NULL, 
	data_source_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, data_source_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_data_sources_data_source_id ON tbl_microgrids_data_sources (data_source_id);

CREATE INDEX ix_tbl_microgrids_data_sources_microgrid_id ON tbl_microgrids_data_sources (microgrid_id);

CREATE TABLE tbl_microgrids_evchargers (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_evchargers_meter_id ON tbl_microgrids_evchargers (meter_id);

CREATE INDEX ix_tbl_microgrids_evchargers_microgrid_id ON tbl_microgrids_evchargers (microgrid_id);

CREATE INDEX ix_tbl_microgrids_evchargers_power_point_id ON tbl_microgrids_evchargers (power_point_id);

CREATE TABLE tbl_microgrids_evchargers_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	evcharger_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (evcharger_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_evchargers_points_evcharger_id ON tbl_microgrids_evchargers_points (evcharger_id);

CREATE INDEX ix_tbl_microgrids_evchargers_points_point_id ON tbl_microgrids_evchargers_points (point_id);

CREATE TABLE tbl_microgrids_generators (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_generators_meter_id ON tbl_microgrids_generators (meter_id);

CREATE INDEX ix_tbl_microgrids_generators_microgrid_id ON tbl_microgrids_generators (microgrid_id);

CREATE INDEX ix_tbl_microgrids_generators_power_point_id ON tbl_microgrids_generators (power_point_id);

CREATE TABLE tbl_microgrids_generators_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	generator_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (generator_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_generators_points_generator_id ON tbl_microgrids_generators_points (generator_id);

CREATE INDEX ix_tbl_microgrids_generators_points_point_id ON tbl_microgrids_generators_points (point_id);

CREATE TABLE tbl_microgrids_grids (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	power_point_id BIGINT, 
	buy_meter_id BIGINT NOT NULL, 
	sell_meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_grids_buy_meter_id ON tbl_microgrids_grids (buy_meter_id);

CREATE INDEX ix_tbl_microgrids_grids_microgrid_id ON tbl_microgrids_grids (microgrid_id);

CREATE INDEX ix_tbl_microgrids_grids_power_point_id ON tbl_microgrids_grids (power_point_id);

CREATE INDEX ix_tbl_microgrids_grids_sell_meter_id ON tbl_microgrids_grids (sell_meter_id);

CREATE TABLE tbl_microgrids_grids_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	grid_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (grid_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_grids_points_grid_id ON tbl_microgrids_grids_points (grid_id);

CREATE INDEX ix_tbl_microgrids_grids_points_point_id ON tbl_microgrids_grids_points (point_id);

CREATE TABLE tbl_microgrids_heatpumps (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	electricity_meter_id BIGINT NOT NULL, 
	heat_meter_id BIGINT NOT NULL, 
	cooling_meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_heatpumps_cooling_meter_id ON tbl_microgrids_heatpumps (cooling_meter_id);

CREATE INDEX ix_tbl_microgrids_heatpumps_electricity_meter_id ON tbl_microgrids_heatpumps (electricity_meter_id);

CREATE INDEX ix_tbl_microgrids_heatpumps_heat_meter_id ON tbl_microgrids_heatpumps (heat_meter_id);

CREATE INDEX ix_tbl_microgrids_heatpumps_microgrid_id ON tbl_microgrids_heatpumps (microgrid_id);

CREATE INDEX ix_tbl_microgrids_heatpumps_power_point_id ON tbl_microgrids_heatpumps (power_point_id);

CREATE TABLE tbl_microgrids_heatpumps_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	heatpump_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (heatpump_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_heatpumps_points_heatpump_id ON tbl_microgrids_heatpumps_points (heatpump_id);

CREATE INDEX ix_tbl_microgrids_heatpumps_points_point_id ON tbl_microgrids_heatpumps_points (point_id);

CREATE TABLE tbl_microgrids_loads (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_loads_meter_id ON tbl_microgrids_loads (meter_id);

CREATE INDEX ix_tbl_microgrids_loads_microgrid_id ON tbl_microgrids_loads (microgrid_id);

CREATE INDEX ix_tbl_microgrids_loads_power_point_id ON tbl_microgrids_loads (power_point_id);

CREATE TABLE tbl_microgrids_loads_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	load_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (load_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_loads_points_load_id ON tbl_microgrids_loads_points (load_id);

CREATE INDEX ix_tbl_microgrids_loads_points_point_id ON tbl_microgrids_loads_points (point_id);

CREATE TABLE tbl_microgrids_pcses_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	pcs_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (pcs_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_pcses_points_pcs_id ON tbl_microgrids_pcses_points (pcs_id);

CREATE INDEX ix_tbl_microgrids_pcses_points_point_id ON tbl_microgrids_pcses_points (point_id);

CREATE TABLE tbl_microgrids_photovoltaics (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_photovoltaics_meter_id ON tbl_microgrids_photovoltaics (meter_id);

CREATE INDEX ix_tbl_microgrids_photovoltaics_microgrid_id ON tbl_microgrids_photovoltaics (microgrid_id);

CREATE INDEX ix_tbl_microgrids_photovoltaics_power_point_id ON tbl_microgrids_photovoltaics (power_point_id);

CREATE TABLE tbl_microgrids_power_conversion_systems (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	run_state_point_id BIGINT NOT NULL, 
	today_charge_energy_point_id BIGINT, 
	today_discharge_energy_point_id BIGINT, 
	total_charge_energy_point_id BIGINT, 
	total_discharge_energy_point_id BIGINT, 
	capacity NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_power_conversion_systems_microgrid_id ON tbl_microgrids_power_conversion_systems (microgrid_id);

CREATE INDEX ix_tbl_microgrids_power_conversion_systems_run_state_point_id ON tbl_microgrids_power_conversion_systems (run_state_point_id);

CREATE INDEX ix_tbl_microgrids_power_conversion_systems_today_charge__45a5 ON tbl_microgrids_power_conversion_systems (today_charge_energy_point_id);

CREATE INDEX ix_tbl_microgrids_power_conversion_systems_today_dischar_3e10 ON tbl_microgrids_power_conversion_systems (today_discharge_energy_point_id);

CREATE INDEX ix_tbl_microgrids_power_conversion_systems_total_charge__3f01 ON tbl_microgrids_power_conversion_systems (total_charge_energy_point_id);

CREATE INDEX ix_tbl_microgrids_power_conversion_systems_total_dischar_383c ON tbl_microgrids_power_conversion_systems (total_discharge_energy_point_id);

CREATE TABLE tbl_microgrids_pvs_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	pv_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (pv_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_pvs_points_point_id ON tbl_microgrids_pvs_points (point_id);

CREATE INDEX ix_tbl_microgrids_pvs_points_pv_id ON tbl_microgrids_pvs_points (pv_id);

CREATE TABLE tbl_microgrids_schedules (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	microgrid_id BIGINT NOT NULL, 
	start_time_of_day VARCHAR(8) NOT NULL, 
	end_time_of_day VARCHAR(8) NOT NULL, 
	peak_type VARCHAR(16) NOT NULL, 
	power NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_schedules_microgrid_id ON tbl_microgrids_schedules (microgrid_id);

CREATE TABLE tbl_microgrids_sensors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	microgrid_id BIGINT NOT NULL, 
	sensor_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, sensor_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_sensors_microgrid_id ON tbl_microgrids_sensors (microgrid_id);

CREATE INDEX ix_tbl_microgrids_sensors_sensor_id ON tbl_microgrids_sensors (sensor_id);

CREATE TABLE tbl_microgrids_users (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	microgrid_id BIGINT NOT NULL, 
	user_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (microgrid_id, user_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_microgrids_users_microgrid_id ON tbl_microgrids_users (microgrid_id);

CREATE INDEX ix_tbl_microgrids_users_user_id ON tbl_microgrids_users (user_id);

CREATE TABLE tbl_new_users (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	display_name VARCHAR(255) NOT NULL, 
	email VARCHAR(255) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	created_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid), 
	UNIQUE (email)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_notifications (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	user_id BIGINT NOT NULL, 
	created_datetime_utc DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	subject VARCHAR(255) NOT NULL, 
	message MEDIUMTEXT NOT NULL, 
	url VARCHAR(1024), 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_notifications_created_datetime_utc ON tbl_notifications (created_datetime_utc);

CREATE INDEX ix_tbl_notifications_user_id ON tbl_notifications (user_id);

CREATE TABLE tbl_offline_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	is_counted BOOL NOT NULL, 
	hourly_low_limit NUMERIC(21, 6) NOT NULL, 
	hourly_high_limit NUMERIC(21, 6) NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	energy_item_id BIGINT, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_offline_meters_cost_center_id ON tbl_offline_meters (cost_center_id);

CREATE INDEX ix_tbl_offline_meters_energy_category_id ON tbl_offline_meters (energy_category_id);

CREATE INDEX ix_tbl_offline_meters_energy_item_id ON tbl_offline_meters (energy_item_id);

CREATE TABLE tbl_photovoltaic_power_stations (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	address VARCHAR(255) NOT NULL, 
	postal_code VARCHAR(32), 
	latitude NUMERIC(21, 6) NOT NULL, 
	longitude NUMERIC(21, 6) NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	contact_id BIGINT NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	svg MEDIUMTEXT, 
	svg_diagram_id BIGINT, 
	description TEXT, 
	rated_capacity NUMERIC(21, 6), 
	rated_power NUMERIC(21, 6), 
	latitude_point_id BIGINT, 
	longitude_point_id BIGINT, 
	svg2_id BIGINT, 
	svg3_id BIGINT, 
	svg4_id BIGINT, 
	svg5_id BIGINT, 
	is_cost_data_displayed BOOL, 
	phase_of_lifecycle VARCHAR(255), 
	commissioning_date VARCHAR(10), 
	station_code VARCHAR(255), 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_contact_id ON tbl_photovoltaic_power_stations (contact_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_cost_center_id ON tbl_photovoltaic_power_stations (cost_center_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_svg_diagram_id ON tbl_photovoltaic_power_stations (svg_diagram_id);

CREATE TABLE tbl_photovoltaic_power_stations_data_sources (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	photovoltaic_power_station_id BIGINT NOT NULL, 
	data_source_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (photovoltaic_power_station_id, data_source_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_data_sources_data_source_id ON tbl_photovoltaic_power_stations_data_sources (data_source_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_data_sources_photovol_882c ON tbl_photovoltaic_power_stations_data_sources (photovoltaic_power_station_id);

CREATE TABLE tbl_photovoltaic_power_stations_grids (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	photovoltaic_power_station_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	buy_meter_id BIGINT NOT NULL, 
	sell_meter_id BIGINT NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	total_active_power_point_id BIGINT, 
	active_power_a_point_id BIGINT, 
	active_power_b_point_id BIGINT, 
	active_power_c_point_id BIGINT, 
	total_reactive_power_point_id BIGINT, 
	reactive_power_a_point_id BIGINT, 
	reactive_power_b_point_id BIGINT, 
	reactive_power_c_point_id BIGINT, 
	total_apparent_power_point_id BIGINT, 
	apparent_power_a_point_id BIGINT, 
	apparent_power_b_point_id BIGINT, 
	apparent_power_c_point_id BIGINT, 
	total_power_factor_point_id BIGINT, 
	active_energy_import_point_id BIGINT, 
	active_energy_export_point_id BIGINT, 
	active_energy_net_point_id BIGINT, 
	PRIMARY KEY (id), 
	UNIQUE (photovoltaic_power_station_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_grids_buy_meter_id ON tbl_photovoltaic_power_stations_grids (buy_meter_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_grids_photovoltaic_po_a8c2 ON tbl_photovoltaic_power_stations_grids (photovoltaic_power_station_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_grids_power_point_id ON tbl_photovoltaic_power_stations_grids (power_point_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_grids_sell_meter_id ON tbl_photovoltaic_power_stations_grids (sell_meter_id);

CREATE TABLE tbl_photovoltaic_power_stations_grids_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	grid_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (grid_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_grids_points_grid_id ON tbl_photovoltaic_power_stations_grids_points (grid_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_grids_points_point_id ON tbl_photovoltaic_power_stations_grids_points (point_id);

CREATE TABLE tbl_photovoltaic_power_stations_invertors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	photovoltaic_power_station_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	model VARCHAR(255) NOT NULL, 
	serial_number VARCHAR(255) NOT NULL, 
	invertor_state_point_id BIGINT NOT NULL, 
	communication_state_point_id BIGINT NOT NULL, 
	total_energy_point_id BIGINT NOT NULL, 
	generation_meter_id BIGINT NOT NULL, 
	today_energy_point_id BIGINT, 
	efficiency_point_id BIGINT, 
	temperature_point_id BIGINT, 
	power_factor_point_id BIGINT, 
	active_power_point_id BIGINT, 
	reactive_power_point_id BIGINT, 
	frequency_point_id BIGINT, 
	uab_point_id BIGINT, 
	ubc_point_id BIGINT, 
	uca_point_id BIGINT, 
	ua_point_id BIGINT, 
	ub_point_id BIGINT, 
	uc_point_id BIGINT, 
	ia_point_id BIGINT, 
	ib_point_id BIGINT, 
	ic_point_id BIGINT, 
	startup_time_point_id BIGINT, 
	shutdown_time_point_id BIGINT, 
	pv1_u_point_id BIGINT, 
	pv1_i_point_id BIGINT, 
	pv2_u_point_id BIGINT, 
	pv2_i_point_id BIGINT, 
	pv3_u_point_id BIGINT, 
	pv3_i_point_id BIGINT, 
	pv4_u_point_id BIGINT, 
	pv4_i_point_id BIGINT, 
	pv5_u_point_id BIGINT, 
	pv5_i_point_id BIGINT, 
	pv6_u_point_id BIGINT, 
	pv6_i_point_id BIGINT, 
	pv7_u_point_id BIGINT, 
	pv7_i_point_id BIGINT, 
	pv8_u_point_id BIGINT, 
	pv8_i_point_id BIGINT, 
	pv9_u_point_id BIGINT, 
	pv9_i_point_id BIGINT, 
	pv10_u_point_id BIGINT, 
	pv10_i_point_id BIGINT, 
	pv11_u_point_id BIGINT, 
	pv11_i_point_id BIGINT, 
	pv12_u_point_id BIGINT, 
	pv12_i_point_id BIGINT, 
	pv13_u_point_id BIGINT, 
	pv13_i_point_id BIGINT, 
	pv14_u_point_id BIGINT, 
	pv14_i_point_id BIGINT, 
	pv15_u_point_id BIGINT, 
	pv15_i_point_id BIGINT, 
	pv16_u_point_id BIGINT, 
	pv16_i_point_id BIGINT, 
	pv17_u_point_id BIGINT, 
	pv17_i_point_id BIGINT, 
	pv18_u_point_id BIGINT, 
	pv18_i_point_id BIGINT, 
	pv19_u_point_id BIGINT, 
	pv19_i_point_id BIGINT, 
	pv20_u_point_id BIGINT, 
	pv20_i_point_id BIGINT, 
	pv21_u_point_id BIGINT, 
	pv21_i_point_id BIGINT, 
	pv22_u_point_id BIGINT, 
	pv22_i_point_id BIGINT, 
	pv23_u_point_id BIGINT, 
	pv23_i_point_id BIGINT, 
	pv24_u_point_id BIGINT, 
	pv24_i_point_id BIGINT, 
	pv25_u_point_id BIGINT, 
	pv25_i_point_id BIGINT, 
	pv26_u_point_id BIGINT, 
	pv26_i_point_id BIGINT, 
	pv27_u_point_id BIGINT, 
	pv27_i_point_id BIGINT, 
	pv28_u_point_id BIGINT, 
	pv28_i_point_id BIGINT, 
	mppt_total_energy_point_id BIGINT, 
	mppt_power_point_id BIGINT, 
	mppt_1_energy_point_id BIGINT, 
	mppt_2_energy_point_id BIGINT, 
	mppt_3_energy_point_id BIGINT, 
	mppt_4_energy_point_id BIGINT, 
	mppt_5_energy_point_id BIGINT, 
	mppt_6_energy_point_id BIGINT, 
	mppt_7_energy_point_id BIGINT, 
	mppt_8_energy_point_id BIGINT, 
	mppt_9_energy_point_id BIGINT, 
	mppt_10_energy_point_id BIGINT, 
	PRIMARY KEY (id), 
	UNIQUE (photovoltaic_power_station_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_invertors_communicati_bb2c ON tbl_photovoltaic_power_stations_invertors (communication_state_point_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_invertors_generation_meter_id ON tbl_photovoltaic_power_stations_invertors (generation_meter_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_invertors_invertor_st_c2b9 ON tbl_photovoltaic_power_stations_invertors (invertor_state_point_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_invertors_photovoltai_1811 ON tbl_photovoltaic_power_stations_invertors (photovoltaic_power_station_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_invertors_total_energ_9818 ON tbl_photovoltaic_power_stations_invertors (total_energy_point_id);

CREATE TABLE tbl_photovoltaic_power_stations_invertors_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	invertor_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (invertor_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_invertors_points_invertor_id ON tbl_photovoltaic_power_stations_invertors_points (invertor_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_invertors_points_point_id ON tbl_photovoltaic_power_stations_invertors_points (point_id);

CREATE TABLE tbl_photovoltaic_power_stations_loads (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	photovoltaic_power_station_id BIGINT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	power_point_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	rated_input_power NUMERIC(21, 6) NOT NULL, 
	total_active_power_point_id BIGINT, 
	active_power_a_point_id BIGINT, 
	active_power_b_point_id BIGINT, 
	active_power_c_point_id BIGINT, 
	total_reactive_power_point_id BIGINT, 
	reactive_power_a_point_id BIGINT, 
	reactive_power_b_point_id BIGINT, 
	reactive_power_c_point_id BIGINT, 
	total_apparent_power_point_id BIGINT, 
	apparent_power_a_point_id BIGINT, 
	apparent_power_b_point_id BIGINT, 
	apparent_power_c_point_id BIGINT, 
	total_power_factor_point_id BIGINT, 
	active_energy_import_point_id BIGINT, 
	active_energy_export_point_id BIGINT, 
	active_energy_net_point_id BIGINT, 
	PRIMARY KEY (id), 
	UNIQUE (photovoltaic_power_station_id, name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_loads_meter_id ON tbl_photovoltaic_power_stations_loads (meter_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_loads_photovoltaic_po_ce6f ON tbl_photovoltaic_power_stations_loads (photovoltaic_power_station_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_loads_power_point_id ON tbl_photovoltaic_power_stations_loads (power_point_id);

CREATE TABLE tbl_photovoltaic_power_stations_loads_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	load_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (load_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_loads_points_load_id ON tbl_photovoltaic_power_stations_loads_points (load_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_loads_points_point_id ON tbl_photovoltaic_power_stations_loads_points (point_id);

CREATE TABLE tbl_photovoltaic_power_stations_users (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	photovoltaic_power_station_id BIGINT NOT NULL, 
	user_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (photovoltaic_power_station_id, user_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_photovoltaic_power_stations_users_photovoltaic_po_0bac ON tbl_photovoltaic_power_stations_users (photovoltaic_power_station_id);

CREATE INDEX ix_tbl_photovoltaic_power_stations_users_user_id ON tbl_photovoltaic_power_stations_users (user_id);

CREATE TABLE tbl_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	data_source_id BIGINT NOT NULL, 
	object_type VARCHAR(32) NOT NULL, 
	units VARCHAR(32), 
	high_limit NUMERIC(21, 6) NOT NULL, 
	low_limit NUMERIC(21, 6) NOT NULL, 
	higher_limit NUMERIC(21, 6), 
	lower_limit NUMERIC(21, 6), 
	ratio NUMERIC(21, 6) NOT NULL, 
	offset_constant NUMERIC(21, 6) NOT NULL, 
	is_trend BOOL NOT NULL, 
	is_virtual BOOL NOT NULL, 
	address TEXT NOT NULL, 
	description TEXT, 
	faults TEXT, 
	definitions TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (data_source_id, name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_points_data_source_id ON tbl_points (data_source_id);

CREATE TABLE tbl_points_set_values (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	point_id BIGINT NOT NULL, 
	data_source_id BIGINT NOT NULL, 
	set_value NUMERIC(21, 6) NOT NULL, 
	utc_date_time DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	reason VARCHAR(255), 
	read_back_value NUMERIC(21, 6), 
	done_datetime_utc DATETIME, 
	requested_by VARCHAR(64), 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_points_set_values_data_source_id ON tbl_points_set_values (data_source_id);

CREATE INDEX ix_tbl_points_set_values_point_id ON tbl_points_set_values (point_id);

CREATE INDEX ix_tbl_points_set_values_status ON tbl_points_set_values (status);

CREATE TABLE tbl_privileges (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	data TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_products (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	unit_of_measure VARCHAR(32) NOT NULL, 
	tag VARCHAR(128), 
	standard_product_coefficient NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_protocols (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	code VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (code)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_reports (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	expression TEXT NOT NULL, 
	is_enabled BOOL NOT NULL, 
	is_run_immediately BOOL NOT NULL, 
	last_run_datetime_utc DATETIME, 
	next_run_datetime_utc DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_reports_files (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	uuid VARCHAR(36) NOT NULL, 
	report_id BIGINT, 
	create_datetime_utc DATETIME NOT NULL, 
	file_name VARCHAR(255) NOT NULL, 
	file_type VARCHAR(16) NOT NULL, 
	file_object MEDIUMBLOB NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_reports_files_create_datetime_utc ON tbl_reports_files (create_datetime_utc);

CREATE INDEX ix_tbl_reports_files_report_id ON tbl_reports_files (report_id);

CREATE TABLE tbl_rules (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	fdd_code VARCHAR(32) NOT NULL, 
	category VARCHAR(32) NOT NULL, 
	priority VARCHAR(16) NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	expression TEXT NOT NULL, 
	message_template TEXT NOT NULL, 
	is_enabled BOOL NOT NULL, 
	is_run_immediately BOOL NOT NULL, 
	last_run_datetime_utc DATETIME, 
	next_run_datetime_utc DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_sensors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_sensors_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	sensor_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (sensor_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_sensors_points_point_id ON tbl_sensors_points (point_id);

CREATE INDEX ix_tbl_sensors_points_sensor_id ON tbl_sensors_points (sensor_id);

CREATE TABLE tbl_sessions (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	user_id BIGINT NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	created_datetime_utc DATETIME NOT NULL, 
	expires_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (token_hash)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_sessions_expires_datetime_utc ON tbl_sessions (expires_datetime_utc);

CREATE INDEX ix_tbl_sessions_user_id ON tbl_sessions (user_id);

CREATE TABLE tbl_shopfloors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	area NUMERIC(21, 6) NOT NULL, 
	is_input_counted BOOL NOT NULL, 
	contact_id BIGINT, 
	cost_center_id BIGINT, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_contact_id ON tbl_shopfloors (contact_id);

CREATE INDEX ix_tbl_shopfloors_cost_center_id ON tbl_shopfloors (cost_center_id);

CREATE TABLE tbl_shopfloors_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_commands_command_id ON tbl_shopfloors_commands (command_id);

CREATE INDEX ix_tbl_shopfloors_commands_shopfloor_id ON tbl_shopfloors_commands (shopfloor_id);

CREATE TABLE tbl_shopfloors_equipments (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	equipment_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, equipment_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_equipments_equipment_id ON tbl_shopfloors_equipments (equipment_id);

CREATE INDEX ix_tbl_shopfloors_equipments_shopfloor_id ON tbl_shopfloors_equipments (shopfloor_id);

CREATE TABLE tbl_shopfloors_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_meters_meter_id ON tbl_shopfloors_meters (meter_id);

CREATE INDEX ix_tbl_shopfloors_meters_shopfloor_id ON tbl_shopfloors_meters (shopfloor_id);

CREATE TABLE tbl_shopfloors_offline_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	offline_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, offline_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_offline_meters_offline_meter_id ON tbl_shopfloors_offline_meters (offline_meter_id);

CREATE INDEX ix_tbl_shopfloors_offline_meters_shopfloor_id ON tbl_shopfloors_offline_meters (shopfloor_id);

CREATE TABLE tbl_shopfloors_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_points_point_id ON tbl_shopfloors_points (point_id);

CREATE INDEX ix_tbl_shopfloors_points_shopfloor_id ON tbl_shopfloors_points (shopfloor_id);

CREATE TABLE tbl_shopfloors_sensors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	sensor_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, sensor_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_sensors_sensor_id ON tbl_shopfloors_sensors (sensor_id);

CREATE INDEX ix_tbl_shopfloors_sensors_shopfloor_id ON tbl_shopfloors_sensors (shopfloor_id);

CREATE TABLE tbl_shopfloors_virtual_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	virtual_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, virtual_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_virtual_meters_shopfloor_id ON tbl_shopfloors_virtual_meters (shopfloor_id);

CREATE INDEX ix_tbl_shopfloors_virtual_meters_virtual_meter_id ON tbl_shopfloors_virtual_meters (virtual_meter_id);

CREATE TABLE tbl_shopfloors_working_calendars (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	shopfloor_id BIGINT NOT NULL, 
	working_calendar_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (shopfloor_id, working_calendar_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_shopfloors_working_calendars_shopfloor_id ON tbl_shopfloors_working_calendars (shopfloor_id);

CREATE INDEX ix_tbl_shopfloors_working_calendars_working_calendar_id ON tbl_shopfloors_working_calendars (working_calendar_id);

CREATE TABLE tbl_spaces (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	parent_space_id BIGINT, 
	area NUMERIC(21, 6) NOT NULL, 
	number_of_occupants NUMERIC(21, 6), 
	timezone_id BIGINT NOT NULL, 
	is_input_counted BOOL NOT NULL, 
	is_output_counted BOOL NOT NULL, 
	contact_id BIGINT, 
	cost_center_id BIGINT, 
	latitude NUMERIC(21, 6), 
	longitude NUMERIC(21, 6), 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_contact_id ON tbl_spaces (contact_id);

CREATE INDEX ix_tbl_spaces_cost_center_id ON tbl_spaces (cost_center_id);

CREATE INDEX ix_tbl_spaces_parent_space_id ON tbl_spaces (parent_space_id);

CREATE INDEX ix_tbl_spaces_timezone_id ON tbl_spaces (timezone_id);

CREATE TABLE tbl_spaces_combined_equipments (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	combined_equipment_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, combined_equipment_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_combined_equipments_combined_equipment_id ON tbl_spaces_combined_equipments (combined_equipment_id);

CREATE INDEX ix_tbl_spaces_combined_equipments_space_id ON tbl_spaces_combined_equipments (space_id);

CREATE TABLE tbl_spaces_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_commands_command_id ON tbl_spaces_commands (command_id);

CREATE INDEX ix_tbl_spaces_commands_space_id ON tbl_spaces_commands (space_id);

CREATE TABLE tbl_spaces_distribution_systems (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	distribution_system_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, distribution_system_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_distribution_systems_distribution_system_id ON tbl_spaces_distribution_systems (distribution_system_id);

CREATE INDEX ix_tbl_spaces_distribution_systems_space_id ON tbl_spaces_distribution_systems (space_id);

CREATE TABLE tbl_spaces_energy_flow_diagrams (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	energy_flow_diagram_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, energy_flow_diagram_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_energy_flow_diagrams_energy_flow_diagram_id ON tbl_spaces_energy_flow_diagrams (energy_flow_diagram_id);

CREATE INDEX ix_tbl_spaces_energy_flow_diagrams_space_id ON tbl_spaces_energy_flow_diagrams (space_id);

CREATE TABLE tbl_spaces_energy_storage_power_stations (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	energy_storage_power_station_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, energy_storage_power_station_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_energy_storage_power_stations_energy_stora_05d5 ON tbl_spaces_energy_storage_power_stations (energy_storage_power_station_id);

CREATE INDEX ix_tbl_spaces_energy_storage_power_stations_space_id ON tbl_spaces_energy_storage_power_stations (space_id);

CREATE TABLE tbl_spaces_equipments (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	equipment_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, equipment_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_equipments_equipment_id ON tbl_spaces_equipments (equipment_id);

CREATE INDEX ix_tbl_spaces_equipments_space_id ON tbl_spaces_equipments (space_id);

CREATE TABLE tbl_spaces_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_meters_meter_id ON tbl_spaces_meters (meter_id);

CREATE INDEX ix_tbl_spaces_meters_space_id ON tbl_spaces_meters (space_id);

CREATE TABLE tbl_spaces_microgrids (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, microgrid_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_microgrids_microgrid_id ON tbl_spaces_microgrids (microgrid_id);

CREATE INDEX ix_tbl_spaces_microgrids_space_id ON tbl_spaces_microgrids (space_id);

CREATE TABLE tbl_spaces_offline_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	offline_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, offline_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_offline_meters_offline_meter_id ON tbl_spaces_offline_meters (offline_meter_id);

CREATE INDEX ix_tbl_spaces_offline_meters_space_id ON tbl_spaces_offline_meters (space_id);

CREATE TABLE tbl_spaces_photovoltaic_power_stations (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	photovoltaic_power_station_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, photovoltaic_power_station_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_photovoltaic_power_stations_photovoltaic_p_304e ON tbl_spaces_photovoltaic_power_stations (photovoltaic_power_station_id);

CREATE INDEX ix_tbl_spaces_photovoltaic_power_stations_space_id ON tbl_spaces_photovoltaic_power_stations (space_id);

CREATE TABLE tbl_spaces_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_points_point_id ON tbl_spaces_points (point_id);

CREATE INDEX ix_tbl_spaces_points_space_id ON tbl_spaces_points (space_id);

CREATE TABLE tbl_spaces_sensors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	sensor_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, sensor_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_sensors_sensor_id ON tbl_spaces_sensors (sensor_id);

CREATE INDEX ix_tbl_spaces_sensors_space_id ON tbl_spaces_sensors (space_id);

CREATE TABLE tbl_spaces_shopfloors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	shopfloor_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, shopfloor_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_shopfloors_shopfloor_id ON tbl_spaces_shopfloors (shopfloor_id);

CREATE INDEX ix_tbl_spaces_shopfloors_space_id ON tbl_spaces_shopfloors (space_id);

CREATE TABLE tbl_spaces_stores (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	store_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, store_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_stores_space_id ON tbl_spaces_stores (space_id);

CREATE INDEX ix_tbl_spaces_stores_store_id ON tbl_spaces_stores (store_id);

CREATE TABLE tbl_spaces_tenants (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	tenant_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, tenant_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_tenants_space_id ON tbl_spaces_tenants (space_id);

CREATE INDEX ix_tbl_spaces_tenants_tenant_id ON tbl_spaces_tenants (tenant_id);

CREATE TABLE tbl_spaces_virtual_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	virtual_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, virtual_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_virtual_meters_space_id ON tbl_spaces_virtual_meters (space_id);

CREATE INDEX ix_tbl_spaces_virtual_meters_virtual_meter_id ON tbl_spaces_virtual_meters (virtual_meter_id);

CREATE TABLE tbl_spaces_working_calendars (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	space_id BIGINT NOT NULL, 
	working_calendar_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (space_id, working_calendar_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_spaces_working_calendars_space_id ON tbl_spaces_working_calendars (space_id);

CREATE INDEX ix_tbl_spaces_working_calendars_working_calendar_id ON tbl_spaces_working_calendars (working_calendar_id);

CREATE TABLE tbl_store_types (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	description TEXT, 
	simplified_code VARCHAR(32), 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_stores (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	address VARCHAR(255) NOT NULL, 
	latitude NUMERIC(21, 6), 
	longitude NUMERIC(21, 6), 
	store_type_id BIGINT NOT NULL, 
	area NUMERIC(21, 6) NOT NULL, 
	is_input_counted BOOL NOT NULL, 
	contact_id BIGINT, 
	cost_center_id BIGINT, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_contact_id ON tbl_stores (contact_id);

CREATE INDEX ix_tbl_stores_cost_center_id ON tbl_stores (cost_center_id);

CREATE INDEX ix_tbl_stores_store_type_id ON tbl_stores (store_type_id);

CREATE TABLE tbl_stores_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	store_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (store_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_commands_command_id ON tbl_stores_commands (command_id);

CREATE INDEX ix_tbl_stores_commands_store_id ON tbl_stores_commands (store_id);

CREATE TABLE tbl_stores_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	store_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (store_id, meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_meters_meter_id ON tbl_stores_meters (meter_id);

CREATE INDEX ix_tbl_stores_meters_store_id ON tbl_stores_meters (store_id);

CREATE TABLE tbl_stores_offline_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	store_id BIGINT NOT NULL, 
	offline_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (store_id, offline_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_offline_meters_offline_meter_id ON tbl_stores_offline_meters (offline_meter_id);

CREATE INDEX ix_tbl_stores_offline_meters_store_id ON tbl_stores_offline_meters (store_id);

CREATE TABLE tbl_stores_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	store_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (store_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_points_point_id ON tbl_stores_points (point_id);

CREATE INDEX ix_tbl_stores_points_store_id ON tbl_stores_points (store_id);

CREATE TABLE tbl_stores_sensors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	store_id BIGINT NOT NULL, 
	sensor_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (store_id, sensor_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_sensors_sensor_id ON tbl_stores_sensors (sensor_id);

CREATE INDEX ix_tbl_stores_sensors_store_id ON tbl_stores_sensors (store_id);

CREATE TABLE tbl_stores_virtual_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	store_id BIGINT NOT NULL, 
	virtual_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (store_id, virtual_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_virtual_meters_store_id ON tbl_stores_virtual_meters (store_id);

CREATE INDEX ix_tbl_stores_virtual_meters_virtual_meter_id ON tbl_stores_virtual_meters (virtual_meter_id);

CREATE TABLE tbl_stores_working_calendars (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	store_id BIGINT NOT NULL, 
	working_calendar_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (store_id, working_calendar_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_stores_working_calendars_store_id ON tbl_stores_working_calendars (store_id);

CREATE INDEX ix_tbl_stores_working_calendars_working_calendar_id ON tbl_stores_working_calendars (working_calendar_id);

CREATE TABLE tbl_svgs (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	svg MEDIUMTEXT NOT NULL, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_tariffs (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	tariff_type VARCHAR(16) NOT NULL, 
	unit_of_price VARCHAR(64) NOT NULL, 
	valid_from_datetime_utc DATETIME NOT NULL, 
	valid_through_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tariffs_energy_category_id ON tbl_tariffs (energy_category_id);

CREATE TABLE tbl_tariffs_blocks (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tariff_id BIGINT NOT NULL, 
	start_amount NUMERIC(21, 6) NOT NULL, 
	end_amount NUMERIC(21, 6) NOT NULL, 
	price NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tariffs_blocks_tariff_id ON tbl_tariffs_blocks (tariff_id);

CREATE TABLE tbl_tariffs_timeofuses (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tariff_id BIGINT NOT NULL, 
	start_time_of_day VARCHAR(8) NOT NULL, 
	end_time_of_day VARCHAR(8) NOT NULL, 
	peak_type VARCHAR(16) NOT NULL, 
	price NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tariffs_timeofuses_tariff_id ON tbl_tariffs_timeofuses (tariff_id);

CREATE TABLE tbl_tenant_types (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	description TEXT, 
	simplified_code VARCHAR(32), 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_tenants (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	buildings VARCHAR(255) NOT NULL, 
	floors VARCHAR(255) NOT NULL, 
	rooms VARCHAR(255) NOT NULL, 
	tenant_type_id BIGINT NOT NULL, 
	is_key_tenant BOOL NOT NULL, 
	lease_number VARCHAR(255) NOT NULL, 
	lease_start_datetime_utc DATETIME NOT NULL, 
	lease_end_datetime_utc DATETIME NOT NULL, 
	is_in_lease BOOL NOT NULL, 
	area NUMERIC(21, 6) NOT NULL, 
	is_input_counted BOOL NOT NULL, 
	contact_id BIGINT, 
	cost_center_id BIGINT, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_contact_id ON tbl_tenants (contact_id);

CREATE INDEX ix_tbl_tenants_cost_center_id ON tbl_tenants (cost_center_id);

CREATE INDEX ix_tbl_tenants_tenant_type_id ON tbl_tenants (tenant_type_id);

CREATE TABLE tbl_tenants_commands (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tenant_id BIGINT NOT NULL, 
	command_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (tenant_id, command_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_commands_command_id ON tbl_tenants_commands (command_id);

CREATE INDEX ix_tbl_tenants_commands_tenant_id ON tbl_tenants_commands (tenant_id);

CREATE TABLE tbl_tenants_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tenant_id BIGINT NOT NULL, 
	meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (tenant_id, meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_meters_meter_id ON tbl_tenants_meters (meter_id);

CREATE INDEX ix_tbl_tenants_meters_tenant_id ON tbl_tenants_meters (tenant_id);

CREATE TABLE tbl_tenants_offline_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tenant_id BIGINT NOT NULL, 
	offline_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (tenant_id, offline_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_offline_meters_offline_meter_id ON tbl_tenants_offline_meters (offline_meter_id);

CREATE INDEX ix_tbl_tenants_offline_meters_tenant_id ON tbl_tenants_offline_meters (tenant_id);

CREATE TABLE tbl_tenants_points (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tenant_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (tenant_id, point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_points_point_id ON tbl_tenants_points (point_id);

CREATE INDEX ix_tbl_tenants_points_tenant_id ON tbl_tenants_points (tenant_id);

CREATE TABLE tbl_tenants_sensors (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tenant_id BIGINT NOT NULL, 
	sensor_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (tenant_id, sensor_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_sensors_sensor_id ON tbl_tenants_sensors (sensor_id);

CREATE INDEX ix_tbl_tenants_sensors_tenant_id ON tbl_tenants_sensors (tenant_id);

CREATE TABLE tbl_tenants_virtual_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tenant_id BIGINT NOT NULL, 
	virtual_meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (tenant_id, virtual_meter_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_virtual_meters_tenant_id ON tbl_tenants_virtual_meters (tenant_id);

CREATE INDEX ix_tbl_tenants_virtual_meters_virtual_meter_id ON tbl_tenants_virtual_meters (virtual_meter_id);

CREATE TABLE tbl_tenants_working_calendars (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	tenant_id BIGINT NOT NULL, 
	working_calendar_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (tenant_id, working_calendar_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tenants_working_calendars_tenant_id ON tbl_tenants_working_calendars (tenant_id);

CREATE INDEX ix_tbl_tenants_working_calendars_working_calendar_id ON tbl_tenants_working_calendars (working_calendar_id);

CREATE TABLE tbl_text_messages (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	rule_id BIGINT, 
	recipient_name VARCHAR(255), 
	recipient_mobile VARCHAR(32) NOT NULL, 
	message MEDIUMTEXT NOT NULL, 
	acknowledge_code VARCHAR(64), 
	created_datetime_utc DATETIME NOT NULL, 
	scheduled_datetime_utc DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_text_messages_created_datetime_utc ON tbl_text_messages (created_datetime_utc);

CREATE INDEX ix_tbl_text_messages_status_scheduled ON tbl_text_messages (status, scheduled_datetime_utc);

CREATE TABLE tbl_tickets (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	uuid VARCHAR(36) NOT NULL, 
	title VARCHAR(255) NOT NULL, 
	description TEXT, 
	status VARCHAR(16) NOT NULL, 
	priority VARCHAR(16) NOT NULL, 
	space_id BIGINT, 
	equipment_id BIGINT, 
	user_id BIGINT, 
	created_datetime_utc DATETIME NOT NULL, 
	updated_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_tickets_created_datetime_utc ON tbl_tickets (created_datetime_utc);

CREATE INDEX ix_tbl_tickets_equipment_id ON tbl_tickets (equipment_id);

CREATE INDEX ix_tbl_tickets_space_id ON tbl_tickets (space_id);

CREATE INDEX ix_tbl_tickets_user_id ON tbl_tickets (user_id);

CREATE TABLE tbl_timezones (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	description VARCHAR(255) NOT NULL, 
	utc_offset VARCHAR(8) NOT NULL, 
	tz_name VARCHAR(64), 
	PRIMARY KEY (id), 
	UNIQUE (name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_users (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	display_name VARCHAR(255) NOT NULL, 
	email VARCHAR(255) NOT NULL, 
	phone VARCHAR(20), 
	password_hash VARCHAR(255) NOT NULL, 
	is_admin BOOL NOT NULL, 
	is_read_only BOOL NOT NULL, 
	privilege_id BIGINT, 
	account_expiration_datetime_utc DATETIME NOT NULL, 
	password_expiration_datetime_utc DATETIME NOT NULL, 
	failed_login_count INTEGER NOT NULL, 
	locked_until_utc DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid), 
	UNIQUE (email)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_users_privilege_id ON tbl_users (privilege_id);

CREATE TABLE tbl_variables (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	virtual_meter_id BIGINT NOT NULL, 
	name VARCHAR(32) NOT NULL, 
	meter_type VARCHAR(16) NOT NULL, 
	meter_id BIGINT NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_variables_meter_id ON tbl_variables (meter_id);

CREATE INDEX ix_tbl_variables_virtual_meter_id ON tbl_variables (virtual_meter_id);

CREATE TABLE tbl_virtual_meters (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	is_counted BOOL NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	energy_item_id BIGINT, 
	equation VARCHAR(1024) NOT NULL, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_virtual_meters_cost_center_id ON tbl_virtual_meters (cost_center_id);

CREATE INDEX ix_tbl_virtual_meters_energy_category_id ON tbl_virtual_meters (energy_category_id);

CREATE INDEX ix_tbl_virtual_meters_energy_item_id ON tbl_virtual_meters (energy_item_id);

CREATE TABLE tbl_virtual_power_plants (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	balancing_price_point_id BIGINT NOT NULL, 
	svg MEDIUMTEXT, 
	svg_diagram_id BIGINT, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_virtual_power_plants_balancing_price_point_id ON tbl_virtual_power_plants (balancing_price_point_id);

CREATE INDEX ix_tbl_virtual_power_plants_cost_center_id ON tbl_virtual_power_plants (cost_center_id);

CREATE INDEX ix_tbl_virtual_power_plants_svg_diagram_id ON tbl_virtual_power_plants (svg_diagram_id);

CREATE TABLE tbl_virtual_power_plants_microgrids (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	virtual_power_plant_id BIGINT NOT NULL, 
	microgrid_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (virtual_power_plant_id, microgrid_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_virtual_power_plants_microgrids_microgrid_id ON tbl_virtual_power_plants_microgrids (microgrid_id);

CREATE INDEX ix_tbl_virtual_power_plants_microgrids_virtual_power_plant_id ON tbl_virtual_power_plants_microgrids (virtual_power_plant_id);

CREATE TABLE tbl_web_messages (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	user_id BIGINT NOT NULL, 
	subject VARCHAR(255) NOT NULL, 
	message MEDIUMTEXT NOT NULL, 
	priority VARCHAR(16) NOT NULL, 
	created_datetime_utc DATETIME NOT NULL, 
	start_datetime_utc DATETIME, 
	end_datetime_utc DATETIME, 
	update_datetime_utc DATETIME, 
	status VARCHAR(16) NOT NULL, 
	reply TEXT, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_web_messages_created_datetime_utc ON tbl_web_messages (created_datetime_utc);

CREATE INDEX ix_tbl_web_messages_user_id ON tbl_web_messages (user_id);

CREATE TABLE tbl_wechat_messages (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	rule_id BIGINT, 
	recipient_name VARCHAR(255), 
	recipient_openid VARCHAR(64) NOT NULL, 
	message_template_id VARCHAR(128) NOT NULL, 
	message_data MEDIUMTEXT NOT NULL, 
	acknowledge_code VARCHAR(64), 
	created_datetime_utc DATETIME NOT NULL, 
	scheduled_datetime_utc DATETIME NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	PRIMARY KEY (id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_wechat_messages_created_datetime_utc ON tbl_wechat_messages (created_datetime_utc);

CREATE INDEX ix_tbl_wechat_messages_status_scheduled ON tbl_wechat_messages (status, scheduled_datetime_utc);

CREATE TABLE tbl_wind_farms (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	address VARCHAR(255) NOT NULL, 
	postal_code VARCHAR(32), 
	latitude NUMERIC(21, 6) NOT NULL, 
	longitude NUMERIC(21, 6) NOT NULL, 
	capacity NUMERIC(21, 6) NOT NULL, 
	contact_id BIGINT NOT NULL, 
	cost_center_id BIGINT NOT NULL, 
	svg MEDIUMTEXT, 
	svg_diagram_id BIGINT, 
	description TEXT, 
	rated_capacity NUMERIC(21, 6), 
	rated_power NUMERIC(21, 6), 
	latitude_point_id BIGINT, 
	longitude_point_id BIGINT, 
	svg2_id BIGINT, 
	svg3_id BIGINT, 
	svg4_id BIGINT, 
	svg5_id BIGINT, 
	is_cost_data_displayed BOOL, 
	phase_of_lifecycle VARCHAR(255), 
	commissioning_date VARCHAR(10), 
	station_code VARCHAR(255), 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_wind_farms_contact_id ON tbl_wind_farms (contact_id);

CREATE INDEX ix_tbl_wind_farms_cost_center_id ON tbl_wind_farms (cost_center_id);

CREATE INDEX ix_tbl_wind_farms_svg_diagram_id ON tbl_wind_farms (svg_diagram_id);

CREATE TABLE tbl_working_calendars (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_working_calendars_non_working_days (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	working_calendar_id BIGINT NOT NULL, 
	date_local DATE NOT NULL, 
	description TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (working_calendar_id, date_local)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_working_calendars_non_working_days_working_calendar_id ON tbl_working_calendars_non_working_days (working_calendar_id);

-- The historical store (MYEMS_HISTORICAL_DB_URL): trend values and latest values.

CREATE TABLE tbl_analog_value (
	point_id BIGINT NOT NULL, 
	utc_date_time DATETIME(3) NOT NULL, 
	actual_value NUMERIC(21, 6), 
	is_bad BOOL NOT NULL, 
	PRIMARY KEY (point_id, utc_date_time)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_data_repair_changes (
	file_id BIGINT NOT NULL, 
	point_id BIGINT NOT NULL, 
	utc_date_time DATETIME(3) NOT NULL, 
	actual_value NUMERIC(21, 6), 
	is_bad BOOL NOT NULL, 
	PRIMARY KEY (file_id, point_id, utc_date_time)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_digital_value (
	point_id BIGINT NOT NULL, 
	utc_date_time DATETIME(3) NOT NULL, 
	actual_value NUMERIC(21, 6), 
	is_bad BOOL NOT NULL, 
	PRIMARY KEY (point_id, utc_date_time)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_energy_value (
	point_id BIGINT NOT NULL, 
	utc_date_time DATETIME(3) NOT NULL, 
	actual_value NUMERIC(21, 6), 
	is_bad BOOL NOT NULL, 
	PRIMARY KEY (point_id, utc_date_time)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_point_dirty (
	point_id BIGINT NOT NULL, 
	from_datetime_utc DATETIME(3) NOT NULL, 
	version BIGINT NOT NULL, 
	PRIMARY KEY (point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_point_latest_value (
	point_id BIGINT NOT NULL, 
	utc_date_time DATETIME(3) NOT NULL, 
	actual_value NUMERIC(21, 6), 
	is_bad BOOL NOT NULL, 
	PRIMARY KEY (point_id)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

-- The energy store (MYEMS_ENERGY_DB_URL): hourly energy per meter and entity.

CREATE TABLE tbl_aggregation_leases (
	name VARCHAR(64) NOT NULL, 
	holder VARCHAR(64) NOT NULL, 
	expires_datetime_utc DATETIME NOT NULL, 
	PRIMARY KEY (name)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_energy_plan_hourly (
	object_type VARCHAR(24) NOT NULL, 
	object_id BIGINT NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	start_datetime_utc DATETIME NOT NULL, 
	actual_value NUMERIC(21, 6) NOT NULL, 
	file_id BIGINT NOT NULL, 
	PRIMARY KEY (object_type, object_id, energy_category_id, start_datetime_utc)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_tbl_energy_plan_hourly_file_id ON tbl_energy_plan_hourly (file_id);

CREATE TABLE tbl_entity_daily (
	entity_type VARCHAR(24) NOT NULL, 
	entity_id BIGINT NOT NULL, 
	direction VARCHAR(8) NOT NULL, 
	energy_item_id BIGINT NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	`utc_date` DATE NOT NULL, 
	actual_value NUMERIC(21, 6) NOT NULL, 
	maximum NUMERIC(21, 6) NOT NULL, 
	cost NUMERIC(21, 6), 
	carbon NUMERIC(21, 6), 
	PRIMARY KEY (entity_type, entity_id, direction, energy_item_id, energy_category_id, `utc_date`)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_entity_hourly (
	entity_type VARCHAR(24) NOT NULL, 
	entity_id BIGINT NOT NULL, 
	direction VARCHAR(8) NOT NULL, 
	energy_item_id BIGINT NOT NULL, 
	energy_category_id BIGINT NOT NULL, 
	start_datetime_utc DATETIME NOT NULL, 
	actual_value NUMERIC(21, 6) NOT NULL, 
	cost NUMERIC(21, 6), 
	carbon NUMERIC(21, 6), 
	PRIMARY KEY (entity_type, entity_id, direction, energy_item_id, energy_category_id, start_datetime_utc)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_meter_hourly (
	meter_type VARCHAR(16) NOT NULL, 
	meter_id BIGINT NOT NULL, 
	start_datetime_utc DATETIME NOT NULL, 
	actual_value NUMERIC(21, 6) NOT NULL, 
	flags SMALLINT NOT NULL, 
	PRIMARY KEY (meter_type, meter_id, start_datetime_utc)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_offline_meter_daily (
	offline_meter_id BIGINT NOT NULL, 
	local_date DATE NOT NULL, 
	actual_value NUMERIC(21, 6) NOT NULL, 
	file_id BIGINT NOT NULL, 
	PRIMARY KEY (offline_meter_id, local_date)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_space_production_hourly (
	space_id BIGINT NOT NULL, 
	product_id BIGINT NOT NULL, 
	start_datetime_utc DATETIME NOT NULL, 
	product_count NUMERIC(21, 6) NOT NULL, 
	PRIMARY KEY (space_id, product_id, start_datetime_utc)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;
