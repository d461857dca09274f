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

CREATE TABLE tbl_cost_centers (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	external_id VARCHAR(64), 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE tbl_energy_categories (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	unit_of_measure VARCHAR(32) NOT NULL, 
	kgce NUMERIC(18, 6) NOT NULL, 
	kgco2e NUMERIC(18, 6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (uuid)
)ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

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

CREATE TABLE tbl_privileges (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	name VARCHAR(255) NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	data TEXT NOT NULL, 
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
