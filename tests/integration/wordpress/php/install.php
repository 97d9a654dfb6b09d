<?php
/*
 * php install.php ROOT URL: installs WordPress through its own installer
 * (wp_install), sets the site address, pretty permalinks and threaded comments,
 * and prints {"user", "app_password"} for an administrator's new application
 * password (WP_Application_Passwords, as the profile screen makes one).
 */
$modtool_installing = true;
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$url    = $argv[2];
$result = wp_install( 'modtool test site', 'admin', 'admin@example.invalid', false, '', wp_generate_password( 24 ) );
update_option( 'siteurl', $url );
update_option( 'home', $url );
update_option( 'thread_comments', 1 );
update_option( 'thread_comments_depth', 5 );
update_option( 'permalink_structure', '/%year%/%monthnum%/%postname%/' );
flush_rewrite_rules( false );

$editor = wp_insert_user( array( 'user_login' => 'reader', 'user_pass' => wp_generate_password( 24 ), 'role' => 'subscriber', 'user_email' => 'reader@example.invalid' ) );
list( $admin_password ) = WP_Application_Passwords::create_new_application_password( $result['user_id'], array( 'name' => 'modtool-test' ) );
list( $reader_password ) = WP_Application_Passwords::create_new_application_password( $editor, array( 'name' => 'modtool-test' ) );
echo wp_json_encode(
	array(
		'user'            => 'admin',
		'app_password'    => $admin_password,
		'reader'          => 'reader',
		'reader_password' => $reader_password,
	)
), "\n";
