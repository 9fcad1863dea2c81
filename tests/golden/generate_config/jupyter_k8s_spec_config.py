# Configuration file for jupyter-k8s-spec.

c = get_config()  #noqa

#------------------------------------------------------------------------------
# Application(SingletonConfigurable) configuration
#------------------------------------------------------------------------------
## This is an application.

## The date format used by logging formatters for `logging.Formatter` ``datefmt``
#  parameter
#  Default: '%Y-%m-%d %H:%M:%S'
# c.Application.log_datefmt = '%Y-%m-%d %H:%M:%S'

## The Logging format template
#  Default: '[%(name)s]%(highlevel)s %(message)s'
# c.Application.log_format = '[%(name)s]%(highlevel)s %(message)s'

## Set the log level by value or name.
#  Choices: any of [0, 10, 20, 30, 40, 50, 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL']
#  Default: 30
# c.Application.log_level = 30

## Configure additional log handlers.
#  
#  The default stderr logs handler is configured by the log_level, log_datefmt
#  and log_format settings.
#  
#  This configuration can be used to configure additional handlers (e.g. to
#  output the log to a file) or for finer control over the default handlers.
#  
#  If provided this should be a logging configuration dictionary, for more
#  information see:
#  https://docs.python.org/3/library/logging.config.html#logging-config-
#  dictschema
#  
#  This dictionary is merged with the base logging configuration which defines
#  the following:
#  
#  * A logging formatter intended for interactive use called
#    ``console``.
#  * A logging handler that writes to stderr called
#    ``console`` which uses the formatter ``console``.
#  * A logger with the name of this application set to ``DEBUG``
#    level.
#  
#  This example adds a new handler that writes to a file:
#  
#  .. code-block:: python
#  
#     c.Application.logging_config = {
#         "handlers": {
#             "file": {
#                 "class": "logging.FileHandler",
#                 "level": "DEBUG",
#                 "filename": "<path/to/file>",
#             }
#         },
#         "loggers": {
#             "<application-name>": {
#                 "level": "DEBUG",
#                 # NOTE: if you don't list the default "console"
#                 # handler here then it will be disabled
#                 "handlers": ["console", "file"],
#             },
#         },
#     }
#  Default: {}
# c.Application.logging_config = {}

## Instead of starting the Application, dump configuration to stdout
#  Default: False
# c.Application.show_config = False

## Instead of starting the Application, dump configuration to stdout (as JSON)
#  Default: False
# c.Application.show_config_json = False

#------------------------------------------------------------------------------
# JupyterApp(Application) configuration
#------------------------------------------------------------------------------
## Base class for Jupyter applications

## Answer yes to any prompts.
#  Default: False
# c.JupyterApp.answer_yes = False

## Full path of a config file.
#  Default: ''
# c.JupyterApp.config_file = ''

## Specify a config file to load.
#  Default: ''
# c.JupyterApp.config_file_name = ''

## Generate default config file.
#  Default: False
# c.JupyterApp.generate_config = False

## The date format used by logging formatters for `logging.Formatter` ``datefmt``
#  parameter
#  See also: Application.log_datefmt
# c.JupyterApp.log_datefmt = '%Y-%m-%d %H:%M:%S'

## The Logging format template
#  See also: Application.log_format
# c.JupyterApp.log_format = '[%(name)s]%(highlevel)s %(message)s'

## Set the log level by value or name.
#  See also: Application.log_level
# c.JupyterApp.log_level = 30

## 
#  See also: Application.logging_config
# c.JupyterApp.logging_config = {}

## Instead of starting the Application, dump configuration to stdout
#  See also: Application.show_config
# c.JupyterApp.show_config = False

## Instead of starting the Application, dump configuration to stdout (as JSON)
#  See also: Application.show_config_json
# c.JupyterApp.show_config_json = False

#------------------------------------------------------------------------------
# BaseApp(JupyterApp) configuration
#------------------------------------------------------------------------------
## Base class containing parameters common to each provisioner.

## Answer yes to any prompts.
#  See also: JupyterApp.answer_yes
# c.BaseApp.answer_yes = False

## Full path of a config file.
#  See also: JupyterApp.config_file
# c.BaseApp.config_file = ''

## Specify a config file to load.
#  See also: JupyterApp.config_file_name
# c.BaseApp.config_file_name = ''

## Generate default config file.
#  See also: JupyterApp.generate_config
# c.BaseApp.generate_config = False

## The date format used by logging formatters for `logging.Formatter` ``datefmt``
#  parameter
#  See also: Application.log_datefmt
# c.BaseApp.log_datefmt = '%Y-%m-%d %H:%M:%S'

## The Logging format template
#  See also: Application.log_format
# c.BaseApp.log_format = '[%(name)s]%(highlevel)s %(message)s'

## Set the log level by value or name.
#  See also: Application.log_level
# c.BaseApp.log_level = 30

## 
#  See also: Application.logging_config
# c.BaseApp.logging_config = {}

## Instead of starting the Application, dump configuration to stdout
#  See also: Application.show_config
# c.BaseApp.show_config = False

## Instead of starting the Application, dump configuration to stdout (as JSON)
#  See also: Application.show_config_json
# c.BaseApp.show_config_json = False

#------------------------------------------------------------------------------
# RemoteProvisionerConfigMixin(Configurable) configuration
#------------------------------------------------------------------------------
## List of user names against which KERNEL_USERNAME will be compared. Any match
#  (case-sensitive) will allow the kernel's launch, otherwise an HTTP 403
#  (Forbidden) error will be raised.  The set of unauthorized users takes
#  precedence. This option should be used carefully as it can dramatically limit
#  who can launch kernels. To specify multiple names via the CLI, separate
#  options must be provided for each entry. (GP_AUTHORIZED_USERS env var - non-
#  bracketed, just comma-separated)
#  Default: set()
# c.RemoteProvisionerConfigMixin.authorized_users = set()

## Number of ports to try if the specified port is not available
#  (GP_LAUNCH_TIMEOUT env var)
#  Default: 30
# c.RemoteProvisionerConfigMixin.launch_timeout = 30

## Specifies the lower and upper port numbers from which ports are created. The
#  bounded values are separated by '..' (e.g., 33245..34245 specifies a range of
#  1000 ports to be randomly selected). A range of zero (e.g., 33245..33245 or
#  0..0) disables port-range enforcement.  (GP_PORT_RANGE env var)
#  Default: '0..0'
# c.RemoteProvisionerConfigMixin.port_range = '0..0'

## List of user names against which KERNEL_USERNAME will be compared. Any match
#  (case-sensitive) will prevent the kernel's launch and result in an HTTP 403
#  (Forbidden) error. To specify multiple names via the CLI, separate options
#  must be provided for each entry. (GP_UNAUTHORIZED_USERS env var - non-
#  bracketed, just comma-separated)
#  Default: {'root'}
# c.RemoteProvisionerConfigMixin.unauthorized_users = {'root'}

#------------------------------------------------------------------------------
# BaseSpecApp(RemoteProvisionerConfigMixin, BaseApp) configuration
#------------------------------------------------------------------------------
## Answer yes to any prompts.
#  See also: JupyterApp.answer_yes
# c.BaseSpecApp.answer_yes = False

## List of user names against which KERNEL_USERNAME will be compared.
#  See also: RemoteProvisionerConfigMixin.authorized_users
# c.BaseSpecApp.authorized_users = set()

## Full path of a config file.
#  See also: JupyterApp.config_file
# c.BaseSpecApp.config_file = ''

## Specify a config file to load.
#  See also: JupyterApp.config_file_name
# c.BaseSpecApp.config_file_name = ''

## The display name of the kernel - used by user-facing applications.
#  Default: ''
# c.BaseSpecApp.display_name = ''

## Generate default config file.
#  See also: JupyterApp.generate_config
# c.BaseSpecApp.generate_config = False

## For Python kernels, the name of the ipykernel subclass.
#  Default: 'ipykernel.ipkernel.IPythonKernel'
# c.BaseSpecApp.ipykernel_subclass_name = 'ipykernel.ipkernel.IPythonKernel'

## Install the kernel spec into a directory with this name.
#  Default: ''
# c.BaseSpecApp.kernel_name = ''

## The language of the kernel referenced in the kernel specification.  Must be
#  one of 'Python', 'R', or 'Scala'.  Default = 'Python'.
#  Default: 'Python'
# c.BaseSpecApp.language = 'Python'

## Number of ports to try if the specified port is not available
#  See also: RemoteProvisionerConfigMixin.launch_timeout
# c.BaseSpecApp.launch_timeout = 30

## The date format used by logging formatters for `logging.Formatter` ``datefmt``
#  parameter
#  See also: Application.log_datefmt
# c.BaseSpecApp.log_datefmt = '%Y-%m-%d %H:%M:%S'

## The Logging format template
#  See also: Application.log_format
# c.BaseSpecApp.log_format = '[%(name)s]%(highlevel)s %(message)s'

## Set the log level by value or name.
#  See also: Application.log_level
# c.BaseSpecApp.log_level = 30

## 
#  See also: Application.logging_config
# c.BaseSpecApp.logging_config = {}

## Specifies the lower and upper port numbers from which ports are created.
#  See also: RemoteProvisionerConfigMixin.port_range
# c.BaseSpecApp.port_range = '0..0'

## Specify a prefix to install to, e.g. an env. The kernelspec will be installed
#  in PREFIX/share/jupyter/kernels/
#  Default: ''
# c.BaseSpecApp.prefix = ''

## If a kernel specification already exists in the destination, allow for its
#  replacement.
#  Default: False
# c.BaseSpecApp.replace = False

## Instead of starting the Application, dump configuration to stdout
#  See also: Application.show_config
# c.BaseSpecApp.show_config = False

## Instead of starting the Application, dump configuration to stdout (as JSON)
#  See also: Application.show_config_json
# c.BaseSpecApp.show_config_json = False

## List of user names against which KERNEL_USERNAME will be compared.
#  See also: RemoteProvisionerConfigMixin.unauthorized_users
# c.BaseSpecApp.unauthorized_users = {'root'}

## Try to install the kernel spec to the per-user directory instead of the system
#  or environment directory.
#  Default: False
# c.BaseSpecApp.user = False

#------------------------------------------------------------------------------
# BaseSpecSparkApp(BaseSpecApp) configuration
#------------------------------------------------------------------------------
## Answer yes to any prompts.
#  See also: JupyterApp.answer_yes
# c.BaseSpecSparkApp.answer_yes = False

## List of user names against which KERNEL_USERNAME will be compared.
#  See also: RemoteProvisionerConfigMixin.authorized_users
# c.BaseSpecSparkApp.authorized_users = set()

## Full path of a config file.
#  See also: JupyterApp.config_file
# c.BaseSpecSparkApp.config_file = ''

## Specify a config file to load.
#  See also: JupyterApp.config_file_name
# c.BaseSpecSparkApp.config_file_name = ''

## The display name of the kernel - used by user-facing applications.
#  See also: BaseSpecApp.display_name
# c.BaseSpecSparkApp.display_name = ''

## Specify additional Spark options.
#  Default: ''
# c.BaseSpecSparkApp.extra_spark_opts = ''

## Generate default config file.
#  See also: JupyterApp.generate_config
# c.BaseSpecSparkApp.generate_config = False

## For Python kernels, the name of the ipykernel subclass.
#  See also: BaseSpecApp.ipykernel_subclass_name
# c.BaseSpecSparkApp.ipykernel_subclass_name = 'ipykernel.ipkernel.IPythonKernel'

## Install the kernel spec into a directory with this name.
#  See also: BaseSpecApp.kernel_name
# c.BaseSpecSparkApp.kernel_name = ''

## The language of the kernel referenced in the kernel specification.  Must be
#  one of
#  See also: BaseSpecApp.language
# c.BaseSpecSparkApp.language = 'Python'

## Number of ports to try if the specified port is not available
#  See also: RemoteProvisionerConfigMixin.launch_timeout
# c.BaseSpecSparkApp.launch_timeout = 30

## The date format used by logging formatters for `logging.Formatter` ``datefmt``
#  parameter
#  See also: Application.log_datefmt
# c.BaseSpecSparkApp.log_datefmt = '%Y-%m-%d %H:%M:%S'

## The Logging format template
#  See also: Application.log_format
# c.BaseSpecSparkApp.log_format = '[%(name)s]%(highlevel)s %(message)s'

## Set the log level by value or name.
#  See also: Application.log_level
# c.BaseSpecSparkApp.log_level = 30

## 
#  See also: Application.logging_config
# c.BaseSpecSparkApp.logging_config = {}

## Specifies the lower and upper port numbers from which ports are created.
#  See also: RemoteProvisionerConfigMixin.port_range
# c.BaseSpecSparkApp.port_range = '0..0'

## Specify a prefix to install to, e.g. an env. The kernelspec will be installed
#  in PREFIX/share/jupyter/kernels/
#  See also: BaseSpecApp.prefix
# c.BaseSpecSparkApp.prefix = ''

## If a kernel specification already exists in the destination, allow for its
#  replacement.
#  See also: BaseSpecApp.replace
# c.BaseSpecSparkApp.replace = False

## Instead of starting the Application, dump configuration to stdout
#  See also: Application.show_config
# c.BaseSpecSparkApp.show_config = False

## Instead of starting the Application, dump configuration to stdout (as JSON)
#  See also: Application.show_config_json
# c.BaseSpecSparkApp.show_config_json = False

## Install kernelspec for use with Spark.
#  Default: False
# c.BaseSpecSparkApp.spark = False

## Specify where the spark files can be found.
#  Default: "/sp/it's"
# c.BaseSpecSparkApp.spark_home = "/sp/it's"

## Spark context initialization mode.  Must be one of ['lazy', 'eager', 'none'].
#  Default = lazy.
#  Default: 'lazy'
# c.BaseSpecSparkApp.spark_init_mode = 'lazy'

## List of user names against which KERNEL_USERNAME will be compared.
#  See also: RemoteProvisionerConfigMixin.unauthorized_users
# c.BaseSpecSparkApp.unauthorized_users = {'root'}

## Try to install the kernel spec to the per-user directory instead of the system
#  or environment directory.
#  See also: BaseSpecApp.user
# c.BaseSpecSparkApp.user = False

#------------------------------------------------------------------------------
# K8sSpecInstaller(BaseSpecSparkApp) configuration
#------------------------------------------------------------------------------
## CLI for extension management.

## Answer yes to any prompts.
#  See also: JupyterApp.answer_yes
# c.K8sSpecInstaller.answer_yes = False

## List of user names against which KERNEL_USERNAME will be compared.
#  See also: RemoteProvisionerConfigMixin.authorized_users
# c.K8sSpecInstaller.authorized_users = set()

## Full path of a config file.
#  See also: JupyterApp.config_file
# c.K8sSpecInstaller.config_file = ''

## Specify a config file to load.
#  See also: JupyterApp.config_file_name
# c.K8sSpecInstaller.config_file_name = ''

## Install kernelspec for use with a Custom Resource Definition.  When combined
#  with --spark, will configure the SparkOperatorProvisioner for Spark
#  Application CRDs.
#  Default: False
# c.K8sSpecInstaller.crd = False

## The display name of the kernel - used by user-facing applications.
#  See also: BaseSpecApp.display_name
# c.K8sSpecInstaller.display_name = ''

## The executor image to use for this kernel specification.  Only applies to
#  Spark-enabled kernel specifications.  (GP_EXECUTOR_IMAGE_NAME env var)
#  Default: None
# c.K8sSpecInstaller.executor_image_name = None

## Specify additional Spark options.
#  See also: BaseSpecSparkApp.extra_spark_opts
# c.K8sSpecInstaller.extra_spark_opts = ''

## Generate default config file.
#  See also: JupyterApp.generate_config
# c.K8sSpecInstaller.generate_config = False

## The kernel image to use for this kernel specification. If this specification
#  is enabled for Spark usage, this image will be the driver image.
#  (GP_IMAGE_NAME env var)
#  Default: None
# c.K8sSpecInstaller.image_name = None

## For Python kernels, the name of the ipykernel subclass.
#  See also: BaseSpecApp.ipykernel_subclass_name
# c.K8sSpecInstaller.ipykernel_subclass_name = 'ipykernel.ipkernel.IPythonKernel'

## Install the kernel spec into a directory with this name.
#  See also: BaseSpecApp.kernel_name
# c.K8sSpecInstaller.kernel_name = ''

## The language of the kernel referenced in the kernel specification.  Must be
#  one of
#  See also: BaseSpecApp.language
# c.K8sSpecInstaller.language = 'Python'

## Number of ports to try if the specified port is not available
#  See also: RemoteProvisionerConfigMixin.launch_timeout
# c.K8sSpecInstaller.launch_timeout = 30

## The date format used by logging formatters for `logging.Formatter` ``datefmt``
#  parameter
#  See also: Application.log_datefmt
# c.K8sSpecInstaller.log_datefmt = '%Y-%m-%d %H:%M:%S'

## The Logging format template
#  See also: Application.log_format
# c.K8sSpecInstaller.log_format = '[%(name)s]%(highlevel)s %(message)s'

## Set the log level by value or name.
#  See also: Application.log_level
# c.K8sSpecInstaller.log_level = 30

## 
#  See also: Application.logging_config
# c.K8sSpecInstaller.logging_config = {}

## Specifies the lower and upper port numbers from which ports are created.
#  See also: RemoteProvisionerConfigMixin.port_range
# c.K8sSpecInstaller.port_range = '0..0'

## Specify a prefix to install to, e.g. an env. The kernelspec will be installed
#  in PREFIX/share/jupyter/kernels/
#  See also: BaseSpecApp.prefix
# c.K8sSpecInstaller.prefix = ''

## If a kernel specification already exists in the destination, allow for its
#  replacement.
#  See also: BaseSpecApp.replace
# c.K8sSpecInstaller.replace = False

## Instead of starting the Application, dump configuration to stdout
#  See also: Application.show_config
# c.K8sSpecInstaller.show_config = False

## Instead of starting the Application, dump configuration to stdout (as JSON)
#  See also: Application.show_config_json
# c.K8sSpecInstaller.show_config_json = False

## Install kernelspec for use with Spark.  When combined with --crd, will
#  configure the SparkOperatorProvisioner for Spark Application CRDs.
#  Default: False
# c.K8sSpecInstaller.spark = False

## Specify where the spark files can be found.
#  See also: BaseSpecSparkApp.spark_home
# c.K8sSpecInstaller.spark_home = "/sp/it's"

## Spark context initialization mode.  Must be one of ['lazy', 'eager', 'none'].
#  See also: BaseSpecSparkApp.spark_init_mode
# c.K8sSpecInstaller.spark_init_mode = 'lazy'

## Install kernelspec for use with Tensorflow.
#  Default: False
# c.K8sSpecInstaller.tensorflow = False

## List of user names against which KERNEL_USERNAME will be compared.
#  See also: RemoteProvisionerConfigMixin.unauthorized_users
# c.K8sSpecInstaller.unauthorized_users = {'root'}

## Try to install the kernel spec to the per-user directory instead of the system
#  or environment directory.
#  See also: BaseSpecApp.user
# c.K8sSpecInstaller.user = False
